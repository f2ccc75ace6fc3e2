using System.Globalization;
using System.Text.Json;
using Attend.Data;
using Attend.Tests.Training;
using SkiaSharp;

namespace Attend.Tests.Cli;

/// <summary>A tiny Vision Transformer trained once through <c>attend train --task image-classify</c> on IDX files written here.</summary>
public sealed class ImageRunFixture : IDisposable
{
    public ImageRunFixture()
    {
        Directory.CreateDirectory(Root);
        ImageSet train = ImageTrainingTests.Shapes(150, 1), test = ImageTrainingTests.Shapes(30, 2);
        IdxFile.Write(TrainImages, [train.Count, 8, 8], train.Pixels);
        IdxFile.Write(TrainLabels, [train.Count], train.Labels.Select(l => (byte)l).ToArray());
        IdxFile.Write(TestImages, [test.Count, 8, 8], test.Pixels);
        IdxFile.Write(TestLabels, [test.Count], test.Labels.Select(l => (byte)l).ToArray());
        for (int i = 0; i < 3; i++)
            ImageCliTests.WritePng(Path.Combine(Root, $"test{i}.png"), test.Image(i).ToArray(), 8, 8);
        (Code, Output, Error) = CliRunner.Run("", "train", "--task", "image-classify", "--images", TrainImages, "--labels", TrainLabels,
            "--class-names", "top", "left", "diagonal", "--out", Out, "--patch-size", "4", "--d-model", "16", "--heads", "2", "--d-ff", "32",
            "--encoder-layers", "2", "--dropout", "0", "--batch", "16", "--steps", "250", "--warmup", "5", "--lr", "0.003", "--adamw",
            "--weight-decay", "0.05", "--crop-padding", "1", "--validate-every", "125", "--valid-fraction", "0.1", "--threads", "1");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "attend-vitcli-" + Guid.NewGuid().ToString("N"));

    public string TrainImages => Path.Combine(Root, "train-images-idx3-ubyte.gz");

    public string TrainLabels => Path.Combine(Root, "train-labels-idx1-ubyte.gz");

    public string TestImages => Path.Combine(Root, "t10k-images-idx3-ubyte");

    public string TestLabels => Path.Combine(Root, "t10k-labels-idx1-ubyte");

    public string Out => Path.Combine(Root, "run");

    public string Best => Path.Combine(Out, "best");

    public int Code { get; }

    public string Output { get; }

    public string Error { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public sealed class ImageCliTests(ImageRunFixture run) : IClassFixture<ImageRunFixture>
{
    internal static void WritePng(string path, byte[] grey, int height, int width, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor(grey[y * width + x], grey[y * width + x], grey[y * width + x]));
        using SKData data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void Train_WritesAVitCheckpointWithLabelsAndNormalisation()
    {
        Assert.True(run.Code == 0, run.Error);
        Assert.Contains("accuracy", run.Error, StringComparison.Ordinal);
        foreach (string file in new[] { "config.json", "model.safetensors", "labels.txt", "preprocessor_config.json" })
            Assert.True(File.Exists(Path.Combine(run.Best, file)), file);
        Assert.Contains("\"model_type\": \"vit\"", File.ReadAllText(Path.Combine(run.Best, "config.json")), StringComparison.Ordinal);
        Assert.Equal("top\nleft\ndiagonal\n", File.ReadAllText(Path.Combine(run.Best, "labels.txt")));
    }

    [Fact]
    public void Classify_PrintsLabelAndProbabilityPerImage()
    {
        var (code, output, err) = CliRunner.Run("", "classify", "--threads", "1", "--model", run.Best, "--image",
            Path.Combine(run.Root, "test0.png"), Path.Combine(run.Root, "test1.png"), Path.Combine(run.Root, "test2.png"));
        Assert.True(code == 0, err);
        string[] lines = output.Trim().Split('\n');
        Assert.Equal(["top", "left", "diagonal"], lines.Select(l => l.Split('\t')[0]));
        Assert.All(lines, l => Assert.InRange(float.Parse(l.Split('\t')[1], CultureInfo.InvariantCulture), 1f / 3, 1f));
    }

    [Fact]
    public void Embed_PrintsDModelFloatsPerImage()
    {
        var (code, output, err) = CliRunner.Run("", "embed", "--threads", "1", "--model", run.Best, "--image", Path.Combine(run.Root, "test0.png"), Path.Combine(run.Root, "test1.png"));
        Assert.True(code == 0, err);
        string[] lines = output.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Equal(16, l.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).Count()));
    }

    [Fact]
    public void Eval_PrintsAccuracyPerClassAndConfusionMatrix_AndDrawsIt()
    {
        string png = Path.Combine(run.Root, "confusion.png");
        var (code, output, err) = CliRunner.Run("", "eval", "--threads", "1", "--model", run.Best, "--images", run.TestImages, "--labels", run.TestLabels,
            "--confusion", png, "--json");
        Assert.True(code == 0, err);
        Assert.Contains("per-class accuracy:", output, StringComparison.Ordinal);
        Assert.Contains("confusion matrix", output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        JsonElement r = doc.RootElement;
        Assert.True(r.GetProperty("accuracy").GetDouble() >= 0.9, output);
        Assert.Equal(30, r.GetProperty("examples").GetInt32());
        Assert.Equal(30, r.GetProperty("confusion_matrix").EnumerateArray().Sum(row => row.EnumerateArray().Sum(v => v.GetInt32())));
        Assert.Equal(3, r.GetProperty("per_class_accuracy").EnumerateObject().Count());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void Attention_DrawsTheRolloutBesideTheImage()
    {
        string png = Path.Combine(run.Root, "map.png");
        var (code, output, err) = CliRunner.Run("", "attention", "--threads", "1", "--model", run.Best, "--image", Path.Combine(run.Root, "test2.png"), "--out", png);
        Assert.True(code == 0, err);
        Assert.Contains("2 x 2 patches", output, StringComparison.Ordinal);
        using SKBitmap bitmap = SKBitmap.Decode(png);
        Assert.Equal((2 * 280 + 8, 280), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Train_Resume_ContinuesFromLast()
    {
        string copy = Path.Combine(run.Root, "resumed");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(run.Out, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(run.Out, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var (code, output, err) = CliRunner.Run("", "train", "--out", copy, "--resume", "--steps", "260", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Contains("resuming at step 250", err, StringComparison.Ordinal);
        Assert.Contains("done: 260 steps", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_ImageOfTheWrongSize_NamesTheFile()
    {
        string big = Path.Combine(run.Root, "big.png");
        WritePng(big, new byte[12 * 10], 12, 10);
        var (code, output, err) = CliRunner.Run("", "classify", "--threads", "1", "--model", run.Best, "--image", Path.Combine(run.Root, "test0.png"), big);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains($"{big}: the image is 10 x 12 pixels; the model takes 8 x 8", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_UnreadableImage_NamesTheFile()
    {
        string bad = Path.Combine(run.Root, "bad.png");
        File.WriteAllText(bad, "not an image");
        var (code, _, err) = CliRunner.Run("", "classify", "--threads", "1", "--model", run.Best, "--image", bad);
        Assert.Equal(1, code);
        Assert.Contains($"{bad}: not a readable image", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_TextModelVerbWithoutImages_IsAUsageError()
    {
        var (code, _, err) = CliRunner.Run("", "classify", "--threads", "1", "--model", run.Best);
        Assert.Equal(2, code);
        Assert.Contains("--image FILE", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_IdxCountsThatDiffer_NameBothFilesAndWriteNothing()
    {
        string labels = Path.Combine(run.Root, "short-labels");
        IdxFile.Write(labels, [29], new byte[29]);
        string png = Path.Combine(run.Root, "never.png");
        var (code, _, err) = CliRunner.Run("", "eval", "--threads", "1", "--model", run.Best, "--images", run.TestImages, "--labels", labels, "--confusion", png);
        Assert.Equal(1, code);
        Assert.Contains($"{run.TestImages} holds 30 images but {labels} holds 29 labels", err, StringComparison.Ordinal);
        Assert.False(File.Exists(png));
    }
}
