using System.Text;
using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>Hugging Face's ByteLevel decoder: all tokens' byte-alphabet characters back to bytes, read as UTF-8 (invalid sequences become U+FFFD).</summary>
internal sealed class ByteLevelDecoder(bool addPrefixSpace = false, bool trimOffsets = true, bool useRegex = true) : TokenDecoder
{
    public override void DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (string token in tokens)
            bytes.AddRange(ByteLevelAlphabet.TryToBytes(token) ?? Encoding.UTF8.GetBytes(token));
        tokens.Clear();
        tokens.Add(Encoding.UTF8.GetString(bytes.ToArray()));
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "ByteLevel");
        writer.WriteBoolean("add_prefix_space", addPrefixSpace);
        writer.WriteBoolean("trim_offsets", trimOffsets);
        writer.WriteBoolean("use_regex", useRegex);
        writer.WriteEndObject();
    }
}

/// <summary>Hugging Face's WordPiece decoder: a token not starting with the prefix gets a space before it (except the first); with <c>cleanup</c>, spaces before punctuation and contractions go.</summary>
internal sealed class WordPieceDecoder(string prefix, bool cleanup) : TokenDecoder
{
    public string Prefix { get; } = prefix;

    public bool Cleanup { get; } = cleanup;

    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            if (i != 0)
                token = token.StartsWith(Prefix, StringComparison.Ordinal) ? token[Prefix.Length..] : " " + token;
            tokens[i] = Cleanup ? CleanUp(token) : token;
        }
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "WordPiece");
        writer.WriteString("prefix", Prefix);
        writer.WriteBoolean("cleanup", Cleanup);
        writer.WriteEndObject();
    }

    /// <summary>Hugging Face's <c>wordpiece::cleanup</c>.</summary>
    public static string CleanUp(string s) => s.Replace(" .", ".", StringComparison.Ordinal).Replace(" ?", "?", StringComparison.Ordinal)
        .Replace(" !", "!", StringComparison.Ordinal).Replace(" ,", ",", StringComparison.Ordinal).Replace(" ' ", "'", StringComparison.Ordinal)
        .Replace(" n't", "n't", StringComparison.Ordinal).Replace(" 'm", "'m", StringComparison.Ordinal)
        .Replace(" do not", " don't", StringComparison.Ordinal).Replace(" 's", "'s", StringComparison.Ordinal)
        .Replace(" 've", "'ve", StringComparison.Ordinal).Replace(" 're", "'re", StringComparison.Ordinal);
}

/// <summary>Hugging Face's Metaspace decoder: the replacement character back to a space, dropped at the start of the first token unless the prepend scheme is "never".</summary>
internal sealed class MetaspaceDecoder(char replacement, string prependScheme, bool split) : TokenDecoder
{
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            var sb = new StringBuilder(tokens[i].Length);
            foreach (char c in tokens[i])
            {
                if (c != replacement)
                    sb.Append(c);
                else if (i != 0 || prependScheme == "never")
                    sb.Append(' ');
            }
            tokens[i] = sb.ToString();
        }
    }

    public override void Write(Utf8JsonWriter writer) => new MetaspacePreTokenizer(replacement, prependScheme, split).Write(writer);
}

/// <summary>Hugging Face's BPEDecoder: the end-of-word suffix becomes a space (nothing on the last token).</summary>
internal sealed class BpeSuffixDecoder(string suffix) : TokenDecoder
{
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
            tokens[i] = tokens[i].Replace(suffix, i == tokens.Count - 1 ? "" : " ", StringComparison.Ordinal);
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "BPEDecoder");
        writer.WriteString("suffix", suffix);
        writer.WriteEndObject();
    }
}

/// <summary>Hugging Face's ByteFallback decoder: runs of <c>&lt;0xNN&gt;</c> tokens become the UTF-8 text they spell, or one U+FFFD per byte when invalid.</summary>
internal sealed class ByteFallbackDecoder : TokenDecoder
{
    public static ByteFallbackDecoder Instance { get; } = new();

    private static readonly UTF8Encoding Strict = new(false, true);

    public override void DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var pending = new List<byte>();
        foreach (string token in tokens)
        {
            if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
                && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out byte b))
            {
                pending.Add(b);
                continue;
            }
            Flush(pending, result);
            result.Add(token);
        }
        Flush(pending, result);
        tokens.Clear();
        tokens.AddRange(result);
    }

    public override void Write(Utf8JsonWriter writer) => NormalizerJson.WriteType(writer, "ByteFallback");

    private static void Flush(List<byte> pending, List<string> result)
    {
        if (pending.Count == 0)
            return;
        try
        {
            result.Add(Strict.GetString(pending.ToArray()));
        }
        catch (DecoderFallbackException)
        {
            for (int i = 0; i < pending.Count; i++)
                result.Add("\uFFFD");
        }
        pending.Clear();
    }
}

/// <summary>Hugging Face's Fuse decoder: all tokens joined into one.</summary>
internal sealed class FuseDecoder : TokenDecoder
{
    public static FuseDecoder Instance { get; } = new();

    public override void DecodeChain(List<string> tokens)
    {
        string joined = string.Concat(tokens);
        tokens.Clear();
        tokens.Add(joined);
    }

    public override void Write(Utf8JsonWriter writer) => NormalizerJson.WriteType(writer, "Fuse");
}

/// <summary>Hugging Face's Strip decoder: up to <c>start</c> leading and <c>stop</c> trailing <c>content</c> characters removed from each token.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : TokenDecoder
{
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            string t = tokens[i];
            int from = 0;
            while (from < start && from < t.Length && t[from] == content)
                from++;
            int to = t.Length;
            while (t.Length - to < stop && to > from && t[to - 1] == content)
                to--;
            tokens[i] = t[from..to];
        }
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Strip");
        writer.WriteString("content", content.ToString());
        writer.WriteNumber("start", start);
        writer.WriteNumber("stop", stop);
        writer.WriteEndObject();
    }
}

/// <summary>Hugging Face's Replace decoder: the Replace normalizer applied to each token.</summary>
internal sealed class ReplaceDecoder(ReplaceNormalizer replace) : TokenDecoder
{
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
            tokens[i] = replace.Normalize(tokens[i]);
    }

    public override void Write(Utf8JsonWriter writer) => replace.Write(writer);
}

/// <summary>Hugging Face's CTC decoder: repeated tokens collapsed, the pad token removed, the word delimiter turned into a space (with cleanup).</summary>
internal sealed class CtcDecoder(string padToken, string wordDelimiterToken, bool cleanup) : TokenDecoder
{
    public override void DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        string? previous = null;
        foreach (string token in tokens)
        {
            if (token == previous)
                continue;
            previous = token;
            string replaced = padToken.Length == 0 ? token : token.Replace(padToken, "", StringComparison.Ordinal);
            if (cleanup)
                replaced = WordPieceDecoder.CleanUp(replaced).Replace(wordDelimiterToken, " ", StringComparison.Ordinal);
            if (replaced.Length > 0)
                result.Add(replaced);
        }
        tokens.Clear();
        tokens.AddRange(result);
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "CTC");
        writer.WriteString("pad_token", padToken);
        writer.WriteString("word_delimiter_token", wordDelimiterToken);
        writer.WriteBoolean("cleanup", cleanup);
        writer.WriteEndObject();
    }
}
