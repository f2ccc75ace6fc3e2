using Attend.Cli.Hosting;
using Attend.Cli.Inference;
using Attend.Decoding;
using Attend.Kernels;
using Attend.Models;

namespace Attend.Cli.Commands;

/// <summary><c>attend translate</c>: one translation per input line, in order, on standard output.</summary>
internal sealed class TranslateCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["translate"];

    public override string Summary => "Translate sentences (one a line, from --input or standard input) with a trained encoder-decoder.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "Checkpoint folder (config.json, model.safetensors, tokenizer.json).", ValueName: "DIR"),
        new("input", "Source sentences; standard input when absent.", ValueName: "FILE"),
        new("beam", "Beam size; 1 is greedy decoding.", "1", ValueName: "N"),
        new("length-penalty", "Beam search: score / length^alpha.", "1", ValueName: "ALPHA"),
        new("max-new-tokens", "Longest translation in tokens.", "128", ValueName: "N"),
        new("batch", "Sentences decoded together (greedy).", "64", ValueName: "N"),
        new("truncate", "Cut source sentences longer than the model's max_len.", IsFlag: true),
        CommonOptions.Threads,
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        KernelThreads.Count = args.GetInt("threads", 1, 256);
        var (model, tokenizer) = LoadedModel.Load<Seq2SeqTransformer>(args.Required("model"));
        List<string> lines = InputLines.Read(args, context);
        List<int[]> sources = InputLines.Encode(tokenizer, lines, model.Config.MaxLen, args.Flag("truncate"), args.Get("input") ?? "input");
        foreach (string line in Translate(model, sources, args.GetInt("beam", 1, 64), (float)args.GetDouble("length-penalty", 0),
                     args.GetInt("max-new-tokens", 1), args.GetInt("batch", 1)).Select(ids => tokenizer.Decode(ids, skipSpecialTokens: true)))
            context.Out.WriteLine(line);
        return 0;
    }

    /// <summary>Target ids for each source: greedy in batches, or beam search.</summary>
    public static IEnumerable<int[]> Translate(Seq2SeqTransformer model, List<int[]> sources, int beam, float lengthPenalty, int maxNew, int batch)
    {
        for (int start = 0; start < sources.Count; start += batch)
        {
            var chunk = sources.GetRange(start, Math.Min(batch, sources.Count - start));
            int[][] outputs = beam == 1 ? Greedy.Translate(model, chunk, maxNew) : BeamSearch.Translate(model, chunk, beam, maxNew, lengthPenalty);
            foreach (int[] o in outputs)
                yield return o;
        }
    }
}
