using System.Text;

namespace Attend.Tokenization;

/// <summary>
/// Reads tiktoken rank files: one "base64-token rank" per line (or, as in the Microsoft.ML.Tokenizers.Data packages,
/// a "Capacity: N" line and then base64 tokens alone, ranked by line). The rank is the token's id and its merge priority:
/// bytes a and b merge when a+b has a rank, the lowest rank first, and a pre-token that is itself a token is taken
/// whole (tiktoken's byte_pair_encode).
/// </summary>
internal static class TiktokenFile
{
    public static BpeModel Read(Stream stream, string source, IReadOnlyDictionary<string, int> specialTokens, int cacheCapacity)
    {
        var ranks = new Dictionary<int, byte[]>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: false);
        int lineNumber = 0, implicitRank = 0;
        bool? ranked = null;
        string? line;
        try
        {
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("Capacity:", StringComparison.Ordinal)))
                    continue;
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                ranked ??= space > 0;
                if (ranked.Value && space <= 0)
                    throw Fail(source, lineNumber, "expected 'base64-token rank' (the file may be truncated)");
                if (!ranked.Value && space >= 0)
                    throw Fail(source, lineNumber, "expected a base64 token alone, like the lines before");
                string token64 = ranked.Value ? line[..space] : line;
                byte[] bytes = new byte[token64.Length];
                if (!Convert.TryFromBase64String(token64, bytes, out int length) || length == 0)
                    throw Fail(source, lineNumber, $"'{token64}' is not valid base64");
                int rank = implicitRank++;
                if (ranked.Value && !int.TryParse(line.AsSpan(space + 1), System.Globalization.NumberStyles.None,
                        System.Globalization.CultureInfo.InvariantCulture, out rank))
                    throw Fail(source, lineNumber, $"'{line[(space + 1)..]}' is not a non-negative integer rank");
                bytes = bytes[..length];
                if (!ranks.TryAdd(rank, bytes))
                    throw Fail(source, lineNumber, $"rank {rank} appears twice");
                if (!seen.TryAdd(ByteLevelAlphabet.ToText(bytes), rank))
                    throw Fail(source, lineNumber, $"token '{token64}' appears twice (ranks {seen[ByteLevelAlphabet.ToText(bytes)]} and {rank})");
            }
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{source}: line {lineNumber + 1}: not valid UTF-8 text");
        }
        if (ranks.Count == 0)
            throw new InvalidDataException($"{source}: the file has no tokens");
        foreach ((string content, int id) in specialTokens)
            if (ranks.ContainsKey(id))
                throw new InvalidDataException($"{source}: special token '{content}' has id {id}, which is already a rank in the file");

        var tokens = new byte[]?[ranks.Keys.Max() + 1];
        foreach ((int rank, byte[] bytes) in ranks)
            tokens[rank] = bytes;
        var merges = new List<BpeMerge>();
        Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = seen.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int rank = 0; rank < tokens.Length; rank++)
        {
            byte[]? bytes = tokens[rank];
            if (bytes is null || bytes.Length < 2)
                continue;
            string text = ByteLevelAlphabet.ToText(bytes);
            for (int k = 1; k < text.Length; k++)
            {
                if (lookup.TryGetValue(text.AsSpan(0, k), out int left) && lookup.TryGetValue(text.AsSpan(k), out int right))
                    merges.Add(new BpeMerge(left, right, rank, rank));
            }
        }
        for (int b = 0; b < 256; b++)
            if (!seen.ContainsKey(ByteLevelAlphabet.ToChar((byte)b).ToString()))
                throw new InvalidDataException($"{source}: the vocabulary has no token for byte 0x{b:X2}; byte-level BPE needs all 256 bytes");
        return new BpeModel(seen, merges, BpeModelOptions.Default with { IgnoreMerges = true }, cacheCapacity);
    }

    private static InvalidDataException Fail(string source, int line, string problem) =>
        new($"{source}: line {line}: {problem}");
}
