using System.Diagnostics;
using System.Globalization;
using Attend.Cli.Hosting;
using Attend.Tokenization;

namespace Attend.Cli.Commands;

/// <summary><c>attend tokenizer train</c>: learns a byte-level BPE tokenizer from text files and saves tokenizer.json.</summary>
internal sealed class TokenizerTrainCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["tokenizer", "train"];

    public override string Summary => "Train a byte-level BPE tokenizer on text files (one text per line) and save tokenizer.json.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("input", "UTF-8 text files to learn from.", IsMultiple: true, ValueName: "FILE"),
        new("vocab-size", "Vocabulary size: special tokens + 256 bytes + merges.", "8000", ValueName: "N"),
        new("out", "Where to write tokenizer.json.", ValueName: "FILE"),
        new("min-frequency", "Stop when the best pair occurs fewer times.", "2", ValueName: "N"),
        new("special-tokens", "Special tokens (ids 0, 1, ...); 'none' for none.", "<pad> <bos> <eos> <unk>", IsMultiple: true, ValueName: "TOKEN"),
        new("pre-tokenizer", "gpt2, cl100k, whitespace, none, or a regular expression.", "gpt2", ValueName: "NAME"),
        new("threads", "Threads for counting.", "2", ValueName: "T"),
        new("quiet", "Do not report progress.", IsFlag: true),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        IReadOnlyList<string> inputs = args.GetAll("input");
        if (inputs.Count == 0)
            throw new UsageException("option '--input' is required");
        string output = args.Required("out");
        var options = new BpeTrainerOptions
        {
            VocabularySize = args.GetInt("vocab-size", 1),
            MinFrequency = args.GetInt("min-frequency", 1),
            SpecialTokens = SpecialTokens(args),
            PreTokenizer = PreTokenizer.Parse(args.Required("pre-tokenizer")),
            MaxDegreeOfParallelism = args.GetInt("threads", 1, 256),
        };
        long start = Stopwatch.GetTimestamp();
        var lines = new List<string>();
        foreach (string path in inputs)
            lines.AddRange(Attend.Data.TextFiles.ReadLines(path));
        if (lines.All(l => l.Length == 0))
            throw new CliException($"the training corpus is empty ({string.Join(", ", inputs)})");
        IProgress<BpeTrainingProgress>? progress = args.Flag("quiet") ? null : new Reporter(context.Error);
        Tokenizer tokenizer = Tokenizer.Train(lines, options, progress);
        tokenizer.SaveTokenizerJson(output);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {output}: {tokenizer.Summary} in {seconds:F2} s"));
        return 0;
    }

    private static IReadOnlyList<string> SpecialTokens(ParsedArgs args)
    {
        IReadOnlyList<string> given = args.GetAll("special-tokens");
        if (given.Count == 1 && given[0] == "none")
            return [];
        return given.SelectMany(g => g.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
    }

    private sealed class Reporter(TextWriter error) : IProgress<BpeTrainingProgress>
    {
        public void Report(BpeTrainingProgress value)
        {
            if (value.Phase == "merge")
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"merges: {value.Done}/{value.Total}"));
        }
    }
}
