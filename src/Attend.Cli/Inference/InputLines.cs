using Attend.Cli.Hosting;

namespace Attend.Cli.Inference;

/// <summary>The lines an inference verb works on: from --input, else standard input; Windows line endings normalised.</summary>
internal static class InputLines
{
    public static List<string> Read(ParsedArgs args, CliContext context)
    {
        if (args.Get("input") is string path)
            return Attend.Data.TextFiles.ReadLines(path);
        var lines = new List<string>();
        while (context.In.ReadLine() is { } line)
            lines.Add(line.EndsWith('\r') ? line[..^1] : line);
        return lines;
    }

    /// <summary>
    /// Token ids for each line, checked against the model's max_len, or cut to it when asked as Hugging Face truncates:
    /// the text's tokens are cut and the special tokens ([CLS] ... [SEP], BOS ... EOS) kept.
    /// </summary>
    public static List<int[]> Encode(Attend.Tokenization.Tokenizer tokenizer, List<string> lines, int maxLen, bool truncate, string where)
    {
        var result = new List<int[]>(lines.Count);
        Attend.Tokenization.Tokenizer? truncating = null;
        for (int i = 0; i < lines.Count; i++)
        {
            int[] ids = tokenizer.EncodeToIds(lines[i]);
            if (ids.Length > maxLen)
            {
                if (!truncate)
                    throw new CliException($"{where} line {i + 1}: {ids.Length} tokens, more than the model's max_len {maxLen} (pass --truncate to cut it)");
                ids = Truncated(truncating ??= tokenizer.WithTruncation(maxLen), lines[i], maxLen, true, $"{where} line {i + 1}");
            }
            result.Add(ids);
        }
        return result;
    }

    /// <summary>The ids of <paramref name="text"/> from a tokenizer made by <c>WithTruncation(maxLen)</c>; an error when its special tokens alone exceed max_len.</summary>
    public static int[] Truncated(Attend.Tokenization.Tokenizer truncating, string text, int maxLen, bool addSpecialTokens, string where)
    {
        int[] ids = truncating.EncodeToIds(text, addSpecialTokens);
        if (ids.Length > maxLen)
            throw new CliException($"{where}: the special tokens alone are {ids.Length}, more than max_len {maxLen}");
        return ids;
    }

    /// <summary>The sequences as padded batches of at most <paramref name="size"/> rows, in order.</summary>
    public static IEnumerable<Attend.Decoding.SourceBatch> Batches(List<int[]> ids, int padId, int size = 64)
    {
        for (int start = 0; start < ids.Count; start += size)
            yield return Attend.Decoding.SourceBatch.Pad(ids.GetRange(start, Math.Min(size, ids.Count - start)), padId);
    }
}
