using System.Globalization;
using Attend.Cli.Hosting;
using Attend.Cli.Inference;
using Attend.Decoding;
using Attend.Kernels;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Cli.Commands;

/// <summary><c>attend embed</c>: a sentence embedding (the encoder's mean-pooled output) per input line.</summary>
internal sealed class EmbedCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["embed"];

    public override string Summary => "Print one line of space-separated floats (the pooled encoder output, d_model values) per input line; for a Vision Transformer the [CLS] features per --image.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "Checkpoint folder of an encoder classifier.", ValueName: "DIR"),
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
        var (model, tokenizer) = LoadedModel.Load<EncoderClassifier>(args.Required("model"));
        List<int[]> ids = InputLines.Encode(tokenizer, InputLines.Read(args, context), model.Config.MaxLen, args.Flag("truncate"), args.Get("input") ?? "input");
        int d = model.Config.DModel;
        foreach (SourceBatch b in InputLines.Batches(ids, model.Config.PadId))
        {
            using var noGrad = Autograd.NoGrad();
            Tensor e = model.Embed(b.Ids, b.Batch, b.Length, b.Padding);
            for (int i = 0; i < b.Batch; i++)
                context.Out.WriteLine(string.Join(' ', e.Data.Slice(i * d, d).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        return 0;
    }
}
