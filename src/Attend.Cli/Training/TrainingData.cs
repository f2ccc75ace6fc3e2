using Attend.Cli.Hosting;
using Attend.Data;
using Attend.Tensors;
using Attend.Tokenization;

namespace Attend.Cli.Training;

/// <summary>Reads and tokenizes each task's files, with the checks that keep examples aligned and within max_len.</summary>
internal static class TrainingData
{
    /// <summary>A tokenizer from a file (tokenizer.json or .tiktoken), or trained on <paramref name="texts"/>.</summary>
    public static Tokenizer Tokenizer(string? path, int vocabSize, IEnumerable<string> texts)
    {
        if (path is not null)
            return TokenizerFiles.Load(path, null, TokenizerOptions.Default);
        return Attend.Tokenization.Tokenizer.Train(texts, new BpeTrainerOptions { VocabularySize = vocabSize });
    }

    /// <summary>Splits off a seeded validation share when no validation files are given.</summary>
    public static (List<T> Train, List<T> Valid) Split<T>(List<T> all, double fraction, ulong seed)
    {
        if (fraction <= 0 || all.Count < 2)
            return (all, []);
        int[] order = Enumerable.Range(0, all.Count).ToArray();
        new Rng(seed).Shuffle(order.AsSpan());
        int n = Math.Max(1, (int)(all.Count * fraction));
        var valid = order.Take(n).Order().Select(i => all[i]).ToList();
        var train = order.Skip(n).Order().Select(i => all[i]).ToList();
        return (train, valid);
    }

    /// <summary>
    /// Token ids of each text; a text longer than <paramref name="maxLen"/> tokens is an error naming its line, or is cut
    /// by <paramref name="truncating"/> (the tokenizer's <c>WithTruncation(maxLen)</c>, made once by the caller; null: no
    /// cutting). Model inputs carry the special tokens the tokenizer's post-processor adds
    /// (<paramref name="addSpecialTokens"/>); translation targets do not (the batch frames them with bos and eos).
    /// </summary>
    public static int[] Ids(Tokenizer tokenizer, Tokenizer? truncating, string text, int maxLen, string where, bool addSpecialTokens = true)
    {
        int[] ids = tokenizer.EncodeToIds(text, addSpecialTokens);
        if (ids.Length <= maxLen)
            return ids;
        if (truncating is not null)
            return Inference.InputLines.Truncated(truncating, text, maxLen, addSpecialTokens, where);
        throw new CliException($"{where}: {ids.Length} tokens, more than max_len {maxLen} allows (raise --max-len or pass --truncate)");
    }

    /// <summary>Labelled lines "label&lt;TAB&gt;text"; labels are mapped to class ids in order of first appearance.</summary>
    public static List<(string Label, string Text)> LabelledLines(string path)
    {
        var examples = new List<(string, string)>();
        List<string> lines = TextFiles.ReadLines(path);
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0)
                continue;
            int tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0 || tab == lines[i].Length - 1)
                throw new CliException($"{path}: line {i + 1} is not 'label<TAB>text'");
            examples.Add((lines[i][..tab], lines[i][(tab + 1)..]));
        }
        if (examples.Count == 0)
            throw new CliException($"{path}: no labelled lines");
        return examples;
    }
}
