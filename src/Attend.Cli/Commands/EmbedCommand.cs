using System.Globalization;
using Attend.Cli.Hosting;
using Attend.Cli.Inference;
using Attend.Decoding;
using Attend.Kernels;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Cli.Commands;

/// <summary><c>attend embed</c>: a sentence embedding per input line (an encoder classifier's mean-pooled output, or a BERT folder's pooling).</summary>
internal sealed class EmbedCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["embed"];

    public override string Summary => "Print one line of space-separated floats (the pooled encoder output, d_model values) per input line; for a Vision Transformer the [CLS] features per --image.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "Checkpoint folder of an encoder classifier, or a BERT / sentence-transformers folder.", ValueName: "DIR"),
        new("input", "Texts, one a line; standard input when absent.", ValueName: "FILE"),
        new("truncate", "Cut texts longer than the model's max_len.", IsFlag: true),
        new("image", "Vision Transformer: image files (PNG, JPEG), the [CLS] features (d_model floats) per image.", IsMultiple: true, ValueName: "FILE"),
        CommonOptions.Threads,
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        KernelThreads.Count = args.GetInt("threads", 1, 256);
        if (args.Has("image") || Attend.IO.Checkpoint.ReadConfig(args.Required("model")).ModelType == "vit")
            return Images.ImageVerbs.Embed(args, context);
        var (model, tokenizer) = LoadedModel.Load<ISentenceEncoder>(args.Required("model"));
        List<int[]> ids = InputLines.Encode(tokenizer, InputLines.Read(args, context), model.Config.MaxLen, args.Flag("truncate"), args.Get("input") ?? "input");
        int d = model.Config.DModel;
        // Sentences of similar length share a batch (little padding to compute); the lines come out in input order.
        int[] order = Enumerable.Range(0, ids.Count).OrderBy(i => ids[i].Length).ToArray();
        var embeddings = new float[ids.Count][];
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            int[] members = order[start..Math.Min(order.Length, start + BatchSize)];
            SourceBatch b = SourceBatch.Pad(members.Select(i => ids[i]).ToList(), model.Config.PadId);
            using Workspace.Scope scope = Workspace.Begin();
            using var noGrad = Autograd.NoGrad();
            Tensor e = model.Embed(b.Ids, b.Batch, b.Length, b.Padding);
            for (int i = 0; i < members.Length; i++)
                embeddings[members[i]] = e.Data.Slice(i * d, d).ToArray();
        }
        foreach (float[] e in embeddings)
            context.Out.WriteLine(string.Join(' ', e.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }

    private const int BatchSize = 64;
}
