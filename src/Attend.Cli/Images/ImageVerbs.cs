using System.Globalization;
using System.Text.Json;
using Attend.Cli.Hosting;
using Attend.Cli.Inference;
using Attend.Cli.Plotting;
using Attend.Data;
using Attend.Evaluation;
using Attend.Tensors;

namespace Attend.Cli.Images;

/// <summary>
/// What <c>classify</c>, <c>embed</c>, <c>eval</c> and <c>attention</c> do with a Vision Transformer checkpoint: the
/// same verbs, with images (--image files, or an IDX pair or image folder for eval) in place of text.
/// </summary>
internal static class ImageVerbs
{
    /// <summary>classify: 'label&lt;TAB&gt;probability' per --image file, in order.</summary>
    public static int Classify(ParsedArgs args, CliContext context)
    {
        VitCheckpoint vit = VitCheckpoint.Load(args.Required("model"));
        foreach ((int cls, float p) in vit.Predict(vit.ReadImages(Files(args))))
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{vit.Labels[cls]}\t{p:F4}"));
        return 0;
    }

    /// <summary>embed: the [CLS] features (after the final norm, d_model floats) per --image file, one line each.</summary>
    public static int Embed(ParsedArgs args, CliContext context)
    {
        VitCheckpoint vit = VitCheckpoint.Load(args.Required("model"));
        int d = vit.Model.Config.DModel;
        vit.ForBatches(vit.ReadImages(Files(args)), (x, _) =>
        {
            Tensor e = vit.Model.Embed(x);
            for (int i = 0; i < x.Shape[0]; i++)
                context.Out.WriteLine(string.Join(' ', e.Data.Slice(i * d, d).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        });
        return 0;
    }

    /// <summary>eval: accuracy, per-class accuracy and the confusion matrix (printed, and drawn to --confusion).</summary>
    public static int Evaluate(ParsedArgs args, CliContext context)
    {
        string dir = args.Required("model");
        VitCheckpoint vit = VitCheckpoint.Load(dir);
        ImageSet set = ImageData.Read(args, "", "image-folder", vit.Channels, vit.Labels)
            ?? throw new UsageException("a Vision Transformer is evaluated on '--images' and '--labels' (IDX files) or '--image-folder'");
        string source = args.Get("image-folder") ?? args.Get("images")!;
        var matrix = new ConfusionMatrix(vit.Labels);
        var start = System.Diagnostics.Stopwatch.StartNew();
        List<(int Class, float Probability)> predicted = vit.Predict(vit.FromSet(set, source));
        double seconds = start.Elapsed.TotalSeconds;
        for (int i = 0; i < set.Count; i++)
            matrix.Add(set.Labels[i], predicted[i].Class);
        string png = args.Get("confusion") ?? "confusion.png";
        ConfusionMatrixPlot.Save(png, matrix, string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(Path.GetFullPath(dir))}: accuracy {100 * matrix.Accuracy:F2}% on {set.Count:N0} images"));
        TextWriter o = context.Out;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {Math.Round(matrix.Accuracy, 4)}"));
        o.WriteLine($"examples: {set.Count}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"images_per_second: {Math.Round(set.Count / Math.Max(1e-9, seconds), 1)}"));
        o.WriteLine("per-class accuracy:");
        for (int c = 0; c < vit.Labels.Count; c++)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c} {vit.Labels[c]}: {Math.Round(matrix.ClassAccuracy(c), 4)} ({matrix.Counts[c, c]} of {matrix.Support(c)})"));
        o.WriteLine("confusion matrix (rows: true class, columns: predicted class):");
        o.Write(matrix.ToString());
        o.WriteLine($"wrote {Path.GetFullPath(png)}");
        if (args.Flag("json"))
        {
            var json = new ImageEvalFigures(Math.Round(matrix.Accuracy, 4), set.Count,
                Enumerable.Range(0, vit.Labels.Count).ToDictionary(c => vit.Labels[c], c => Math.Round(double.IsNaN(matrix.ClassAccuracy(c)) ? 0 : matrix.ClassAccuracy(c), 4)),
                Enumerable.Range(0, vit.Labels.Count).Select(i => Enumerable.Range(0, vit.Labels.Count).Select(j => matrix.Counts[i, j]).ToArray()).ToArray(),
                [.. vit.Labels]);
            o.WriteLine(JsonSerializer.Serialize(json, ImageEvalJsonContext.Default.ImageEvalFigures));
        }
        return 0;
    }

    /// <summary>attention: the rollout of [CLS]'s attention over the patches, drawn over --image.</summary>
    public static int Attention(ParsedArgs args, CliContext context)
    {
        VitCheckpoint vit = VitCheckpoint.Load(args.Required("model"));
        string file = args.Get("image") ?? throw new UsageException("a Vision Transformer's attention map needs '--image FILE'");
        byte[] pixels = vit.ReadImages([file])[0];
        (float[] grid, int rows, int cols) = ([], 0, 0);
        vit.ForBatches([pixels], (x, _) => (grid, rows, cols) = AttentionRollout.Compute(vit.Model, x, args.GetIntOrNull("layer", 0), args.GetIntOrNull("head", 0)));
        (int cls, float p) = vit.Predict([pixels])[0];
        string output = args.Required("out");
        AttentionOverlay.Save(output, pixels, vit.Channels, vit.Model.ImageHeight, vit.Model.ImageWidth, grid, rows, cols);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {Path.GetFullPath(output)} (attention rollout of [CLS] over {rows} x {cols} patches; predicted {vit.Labels[cls]}, p = {p:F4})"));
        return 0;
    }

    private static IReadOnlyList<string> Files(ParsedArgs args)
    {
        IReadOnlyList<string> files = args.GetAll("image");
        return files.Count > 0 ? files : throw new UsageException("a Vision Transformer checkpoint takes images: '--image FILE...'");
    }
}

/// <summary>The JSON object <c>attend eval --json</c> prints for an image classifier.</summary>
internal sealed record ImageEvalFigures(
    [property: System.Text.Json.Serialization.JsonPropertyName("accuracy")] double Accuracy,
    [property: System.Text.Json.Serialization.JsonPropertyName("examples")] int Examples,
    [property: System.Text.Json.Serialization.JsonPropertyName("per_class_accuracy")] Dictionary<string, double> PerClassAccuracy,
    [property: System.Text.Json.Serialization.JsonPropertyName("confusion_matrix")] int[][] ConfusionMatrix,
    [property: System.Text.Json.Serialization.JsonPropertyName("classes")] string[] Classes);

[System.Text.Json.Serialization.JsonSerializable(typeof(ImageEvalFigures))]
internal sealed partial class ImageEvalJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
