using Attend.Cli.Hosting;
using Attend.Cli.Inference;
using Attend.Cli.Plotting;
using Attend.IO;
using Attend.Kernels;

namespace Attend.Cli.Commands;

/// <summary><c>attend attention</c>: a PNG heatmap of the attention weights for an input, tokens on the axes.</summary>
internal sealed class AttentionCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["attention"];

    public override string Summary => "Write a PNG heatmap of the attention weights of a layer (one head or their average) for an input text, or a Vision Transformer's attention rollout drawn over an --image.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "Checkpoint folder.", ValueName: "DIR"),
        new("text", "The input (the source sentence for a translator).", ValueName: "TEXT"),
        new("image", "Vision Transformer: the image (PNG, JPEG); the map is the attention rollout of [CLS] over its patches.", ValueName: "FILE"),
        new("out", "The PNG to write.", "attention.png", ValueName: "FILE"),
        new("layer", "Layer index (default: the last).", ValueName: "N"),
        new("head", "Head index (default: the average of all heads).", ValueName: "N"),
        new("kind", "cross (a translator's decoder attending to the source) or self.", "cross", ValueName: "KIND"),
        CommonOptions.Threads,
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        KernelThreads.Count = args.GetInt("threads", 1, 256);
        string dir = args.Required("model");
        if (args.Has("image") || Checkpoint.ReadConfig(dir).ModelType == "vit")
            return Images.ImageVerbs.Attention(args, context);
        string kind = args.Required("kind");
        if (kind is not ("cross" or "self"))
            throw new UsageException("option '--kind' must be cross or self");
        var model = Checkpoint.LoadModel(dir);
        var tokenizer = Checkpoint.LoadTokenizer(dir, model.Config);
        AttentionMap map = AttentionMap.Compute(model, tokenizer, args.Required("text"), kind, args.GetIntOrNull("layer", 0), args.GetIntOrNull("head", 0));
        string output = args.Required("out");
        AttentionHeatmap.Save(output, map.Weights, map.Rows, map.Cols, map.RowLabels, map.ColLabels, map.Title);
        context.Out.WriteLine($"wrote {System.IO.Path.GetFullPath(output)} ({map.Title}; {map.Rows} x {map.Cols})");
        return 0;
    }
}
