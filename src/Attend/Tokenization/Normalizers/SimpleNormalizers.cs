using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Attend.Tokenization;

/// <summary>NFC, NFD, NFKC or NFKD (<see cref="UnicodeNormalization"/>).</summary>
internal sealed class UnicodeFormNormalizer(NormalizationForm form) : Normalizer
{
    public NormalizationForm Form { get; } = form;

    public override string Normalize(string text) => UnicodeNormalization.Normalize(text, Form);

    public override void Write(Utf8JsonWriter writer) => NormalizerJson.WriteType(writer, Form switch
    {
        NormalizationForm.FormC => "NFC",
        NormalizationForm.FormD => "NFD",
        NormalizationForm.FormKC => "NFKC",
        _ => "NFKD",
    });
}

/// <summary>Hugging Face's Lowercase: every character's full lowercase mapping (Rust's <c>char::to_lowercase</c>).</summary>
internal sealed class LowercaseNormalizer : Normalizer
{
    public static LowercaseNormalizer Instance { get; } = new();

    public override string Normalize(string text) => ToLower(text);

    public override void Write(Utf8JsonWriter writer) => NormalizerJson.WriteType(writer, "Lowercase");

    /// <summary>Per-character lowercasing: simple mappings, plus İ → i̇ (the one full mapping longer than a character).</summary>
    public static string ToLower(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int cp = UnicodeClasses.CodePointAt(text, i, out int length);
            i += length;
            AppendLower(cp, sb);
        }
        return sb.ToString();
    }

    public static void AppendLower(int cp, StringBuilder sb)
    {
        if (cp < 128)
        {
            sb.Append((char)(cp is >= 'A' and <= 'Z' ? cp + 32 : cp));
            return;
        }
        if (cp == 0x130)
        {
            sb.Append("i\u0307");
            return;
        }
        if (!Rune.IsValid(cp))
        {
            sb.Append((char)cp);
            return;
        }
        Rune lower = Rune.ToLowerInvariant(new Rune(cp));
        if (lower.IsBmp)
            sb.Append((char)lower.Value);
        else
            sb.Append(lower.ToString());
    }
}

/// <summary>Hugging Face's Strip: whitespace removed from the left and/or right end.</summary>
internal sealed class StripNormalizer(bool left, bool right) : Normalizer
{
    public override string Normalize(string text) => left && right ? text.Trim(WhiteSpace) : left ? text.TrimStart(WhiteSpace) : right ? text.TrimEnd(WhiteSpace) : text;

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Strip");
        writer.WriteBoolean("strip_left", left);
        writer.WriteBoolean("strip_right", right);
        writer.WriteEndObject();
    }

    private static readonly char[] WhiteSpace = Enumerable.Range(0, 0x10000).Where(c => char.IsWhiteSpace((char)c)).Select(c => (char)c).ToArray();
}

/// <summary>Hugging Face's StripAccents: removes every combining mark (Mn, Mc, Me); usually after NFD.</summary>
internal sealed class StripAccentsNormalizer : Normalizer
{
    public static StripAccentsNormalizer Instance { get; } = new();

    public override string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int cp = UnicodeClasses.CodePointAt(text, i, out int length);
            if (!IsMark(cp))
                sb.Append(text, i, length);
            i += length;
        }
        return sb.ToString();
    }

    public override void Write(Utf8JsonWriter writer) => NormalizerJson.WriteType(writer, "StripAccents");

    private static bool IsMark(int cp) => cp >= 0x300 && Rune.IsValid(cp)
        && Rune.GetUnicodeCategory(new Rune(cp)) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}

/// <summary>Hugging Face's Replace: every match of a literal string or regular expression replaced by <c>content</c>.</summary>
internal sealed class ReplaceNormalizer : Normalizer
{
    private readonly Regex? _regex;

    public ReplaceNormalizer(string pattern, bool isRegex, string content)
    {
        Pattern = pattern;
        IsRegex = isRegex;
        Content = content;
        if (isRegex)
            _regex = new Regex(pattern, RegexOptions.CultureInvariant);
    }

    public string Pattern { get; }

    public bool IsRegex { get; }

    public string Content { get; }

    public override string Normalize(string text) =>
        _regex is not null ? _regex.Replace(text, Content.Replace("$", "$$", StringComparison.Ordinal))
        : Pattern.Length == 0 ? text : text.Replace(Pattern, Content, StringComparison.Ordinal);

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Replace");
        writer.WriteStartObject("pattern");
        writer.WriteString(IsRegex ? "Regex" : "String", Pattern);
        writer.WriteEndObject();
        writer.WriteString("content", Content);
        writer.WriteEndObject();
    }
}

/// <summary>Hugging Face's Prepend: <c>prepend</c> put before any non-empty text.</summary>
internal sealed class PrependNormalizer(string prepend) : Normalizer
{
    public string Prepend { get; } = prepend;

    public override string Normalize(string text) => text.Length == 0 ? text : Prepend + text;

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Prepend");
        writer.WriteString("prepend", Prepend);
        writer.WriteEndObject();
    }
}

internal static class NormalizerJson
{
    public static void WriteType(Utf8JsonWriter writer, string type)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteEndObject();
    }
}
