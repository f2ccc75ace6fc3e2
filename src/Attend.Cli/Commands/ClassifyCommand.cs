using System.Globalization;
using Attend.Cli.Hosting;
using Attend.Cli.Inference;
using Attend.Decoding;
using Attend.Kernels;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Cli.Commands;

/// <summary><c>attend classify</c>: the predicted class and its probability for each input line.</summary>
internal sealed class ClassifyCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["classify"];

    public override string Summary => "Classify lines (from --input or standard input): prints 'label<TAB>probability' per line, or images (--image) with a Vision Transformer.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "Checkpoint folder of a classifier (an encoder classifier, or a fine-tuned BERT).", ValueName: "DIR"),
        new("input", "Texts, one a line; standard input when absent.", ValueName: "FILE"),
        new("truncate", "Cut texts longer than the model's max_len.", IsFlag: true),
        new("image", "Vision Transformer: image files (PNG, JPEG), 'label<TAB>probability' per image.", IsMultiple: true, ValueName: "FILE"),
        CommonOptions.Threads,
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        KernelThreads.Count = args.GetInt("threads", 1, 256);
        string dir = args.Required("model");
        if (args.Has("image") || Attend.IO.Checkpoint.ReadConfig(dir).ModelType == "vit")
            return Images.ImageVerbs.Classify(args, context);
        var (model, tokenizer) = LoadedModel.Load<ISequenceClassifier>(dir);
        List<string> labels = Training.ClassLabels.Read(dir);
        List<string> lines = InputLines.Read(args, context);
        foreach (var (cls, p) in Predict(model, InputLines.Encode(tokenizer, lines, model.Config.MaxLen, args.Flag("truncate"), args.Get("input") ?? "input")))
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{labels[cls]}\t{p:F4}"));
        return 0;
    }

    /// <summary>The most probable class and its probability for each sequence.</summary>
    public static IEnumerable<(int Class, float Probability)> Predict(ISequenceClassifier model, List<int[]> ids)
    {
        foreach (SourceBatch b in InputLines.Batches(ids, model.Config.PadId))
        {
            using var noGrad = Autograd.NoGrad();
            Tensor p = Ops.Softmax(model.Logits(b.Ids, b.Batch, b.Length, b.Padding));
            int c = p.Shape.Last;
            for (int i = 0; i < b.Batch; i++)
            {
                int best = Greedy.ArgMax(p.Data.Slice(i * c, c));
                yield return (best, p.Data[i * c + best]);
            }
        }
    }
}
