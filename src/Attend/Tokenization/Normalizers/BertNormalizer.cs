using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's BertNormalizer, in one pass: <c>clean_text</c> drops U+0000, U+FFFD and control/format/unassigned/
/// private-use characters and turns whitespace into spaces; <c>handle_chinese_chars</c> puts spaces around CJK
/// ideographs; <c>strip_accents</c> (default: as <c>lowercase</c>) decomposes (NFD) and drops non-spacing marks;
/// <c>lowercase</c> lowercases.
/// </summary>
internal sealed class BertNormalizer(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase) : Normalizer
{
    [ThreadStatic]
    private static StringBuilder? t_builder;

    [ThreadStatic]
    private static List<int>? t_decomposed;

    public bool CleanText { get; } = cleanText;

    public bool HandleChineseChars { get; } = handleChineseChars;

    public bool? StripAccents { get; } = stripAccents;

    public bool Lowercase { get; } = lowercase;

    public override string Normalize(string text)
    {
        StringBuilder sb = t_builder ??= new StringBuilder(256);
        sb.Clear();
        List<int> decomposed = t_decomposed ??= [];
        bool strip = StripAccents ?? Lowercase;
        for (int i = 0; i < text.Length;)
        {
            int cp = UnicodeClasses.CodePointAt(text, i, out int length);
            i += length;
            if (cp < 128 && cp >= 32 && cp != 127)
            {
                sb.Append((char)(Lowercase && cp is >= 'A' and <= 'Z' ? cp + 32 : cp));
                continue;
            }
            if (CleanText)
            {
                if (cp is 0 or 0xFFFD || IsControl(cp))
                    continue;
                if (cp is '\t' or '\n' or '\r' || UnicodeClasses.IsWhiteSpace(cp))
                {
                    sb.Append(' ');
                    continue;
                }
            }
            bool chinese = HandleChineseChars && IsChinese(cp);
            if (chinese)
                sb.Append(' ');
            if (strip && cp >= 0xC0)
            {
                decomposed.Clear();
                UnicodeNormalization.Decompose(cp, compat: false, decomposed);
                foreach (int d in decomposed)
                    if (!IsNonSpacingMark(d))
                        Append(d, sb);
            }
            else if (!(strip && IsNonSpacingMark(cp)))
            {
                Append(cp, sb);
            }
            if (chinese)
                sb.Append(' ');
        }
        if (strip)
            ReorderMarks(sb);
        return sb.ToString();
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "BertNormalizer");
        writer.WriteBoolean("clean_text", CleanText);
        writer.WriteBoolean("handle_chinese_chars", HandleChineseChars);
        if (StripAccents is bool s)
            writer.WriteBoolean("strip_accents", s);
        else
            writer.WriteNull("strip_accents");
        writer.WriteBoolean("lowercase", Lowercase);
        writer.WriteEndObject();
    }

    private void Append(int cp, StringBuilder sb)
    {
        if (Lowercase)
            LowercaseNormalizer.AppendLower(cp, sb);
        else if (cp < 0x10000)
            sb.Append((char)cp);
        else
            sb.Append(char.ConvertFromUtf32(cp));
    }

    // NFD puts combining marks in canonical order; marks that survive stripping (Mc, Me) are rare, but keep the order right.
    private static void ReorderMarks(StringBuilder sb)
    {
        for (int i = 1; i < sb.Length; i++)
        {
            int cc = UnicodeNormalization.CombiningClass(sb[i]);
            if (cc == 0 || char.IsSurrogate(sb[i]))
                continue;
            char c = sb[i];
            int j = i;
            while (j > 0 && !char.IsSurrogate(sb[j - 1]) && UnicodeNormalization.CombiningClass(sb[j - 1]) > cc)
            {
                sb[j] = sb[j - 1];
                j--;
            }
            sb[j] = c;
        }
    }

    /// <summary>Control, format, unassigned, private use (Rust's <c>is_other</c>), except tab, newline and carriage return.</summary>
    internal static bool IsControl(int cp)
    {
        if (cp is '\t' or '\n' or '\r')
            return false;
        if (!Rune.IsValid(cp))
            return true;
        return Rune.GetUnicodeCategory(new Rune(cp)) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    private static bool IsNonSpacingMark(int cp) => cp >= 0x300 && Rune.IsValid(cp) && Rune.GetUnicodeCategory(new Rune(cp)) == UnicodeCategory.NonSpacingMark;

    private static bool IsChinese(int cp) => cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
        or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B920 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF
        or >= 0x2F800 and <= 0x2FA1F;
}
