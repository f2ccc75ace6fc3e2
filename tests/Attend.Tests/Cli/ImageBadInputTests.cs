using Attend.Data;
using Attend.Tests.Tokenization;
using SkiaSharp;

namespace Attend.Tests.Cli;

/// <summary>attend train --task image-classify on bad data: one clear error naming the file or folder, and no checkpoint folder.</summary>
public sealed class ImageBadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Out => Path.Combine(_dir, "out");

    private (int Code, string Err) Train(params string[] data)
    {
        var (code, _, err) = CliRunner.Run("", [.. new[] { "train", "--task", "image-classify", "--out", Out, "--steps", "2", "--d-model", "8",
            "--heads", "2", "--d-ff", "16", "--encoder-layers", "1", "--batch", "4", "--threads", "1" }, .. data]);
        Assert.False(Directory.Exists(Out), "the run wrote into --out before its data were checked");
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        return (code, err);
    }

    private string Labels(int count)
    {
        string path = Path.Combine(_dir, "labels");
        IdxFile.Write(path, [count], new byte[count]);
        return path;
    }

    [Fact]
    public void WrongMagicNumber_NamesTheFile()
    {
        string images = Path.Combine(_dir, "images");
        File.WriteAllBytes(images, [1, 2, 3, 4, 5, 6, 7, 8]);
        var (code, err) = Train("--images", images, "--labels", Labels(2));
        Assert.Equal(1, code);
        Assert.Contains($"error: {images}: not an IDX file (wrong magic number", err, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedImages_NameTheFile()
    {
        string images = Path.Combine(_dir, "images.gz");
        IdxFile.Write(images, [4, 8, 8], new byte[256]);
        byte[] raw = IdxFile.Read(images).Data;
        File.WriteAllBytes(Path.Combine(_dir, "raw"), [0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 8, .. raw[..100]]);
        var (code, err) = Train("--images", Path.Combine(_dir, "raw"), "--labels", Labels(4));
        Assert.Equal(1, code);
        Assert.Contains($"{Path.Combine(_dir, "raw")}: truncated", err, StringComparison.Ordinal);
    }

    [Fact]
    public void CountsThatDiffer_NameBothFiles()
    {
        string images = Path.Combine(_dir, "images");
        IdxFile.Write(images, [4, 8, 8], new byte[256]);
        string labels = Labels(3);
        var (code, err) = Train("--images", images, "--labels", labels);
        Assert.Equal(1, code);
        Assert.Contains($"{images} holds 4 images but {labels} holds 3 labels", err, StringComparison.Ordinal);
    }

    [Fact]
    public void FolderWithoutClasses_NamesTheFolder()
    {
        string folder = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "stray.png"), "");
        var (code, err) = Train("--image-folder", folder);
        Assert.Equal(1, code);
        Assert.Contains($"{folder}: no class sub-folders", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassWithoutImages_NamesItsFolder()
    {
        string folder = Path.Combine(_dir, "data");
        Directory.CreateDirectory(Path.Combine(folder, "cat"));
        Directory.CreateDirectory(Path.Combine(folder, "dog"));
        ImageCliTests.WritePng(Path.Combine(folder, "cat", "a.png"), new byte[64], 8, 8);
        var (code, err) = Train("--image-folder", folder);
        Assert.Equal(1, code);
        Assert.Contains($"{Path.Combine(folder, "dog")}: no images", err, StringComparison.Ordinal);
    }

    [Fact]
    public void FolderImageOfAnotherSize_NamesTheFile()
    {
        string folder = Path.Combine(_dir, "data");
        Directory.CreateDirectory(Path.Combine(folder, "cat"));
        Directory.CreateDirectory(Path.Combine(folder, "dog"));
        ImageCliTests.WritePng(Path.Combine(folder, "cat", "a.png"), new byte[64], 8, 8);
        string odd = Path.Combine(folder, "dog", "b.png");
        ImageCliTests.WritePng(odd, new byte[48], 6, 8);
        var (code, err) = Train("--image-folder", folder);
        Assert.Equal(1, code);
        Assert.Contains($"{odd}: the image is 8 x 6 pixels, the folder's first image 8 x 8", err, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableFolderImage_NamesTheFile()
    {
        string folder = Path.Combine(_dir, "data");
        Directory.CreateDirectory(Path.Combine(folder, "cat"));
        string bad = Path.Combine(folder, "cat", "a.jpg");
        File.WriteAllBytes(bad, [0xFF, 0xD8, 0xFF, 0, 1, 2]);
        var (code, err) = Train("--image-folder", folder);
        Assert.Equal(1, code);
        Assert.Contains(bad, err, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageFolderOfPngAndJpeg_Trains_ClassesNamedByTheFolders()
    {
        string folder = Path.Combine(_dir, "data");
        var rng = new Random(4);
        foreach (string cls in new[] { "bright", "dark" })
        {
            Directory.CreateDirectory(Path.Combine(folder, cls));
            for (int i = 0; i < 4; i++)
            {
                byte[] grey = Enumerable.Range(0, 64).Select(_ => (byte)((cls == "bright" ? 180 : 40) + rng.Next(20))).ToArray();
                ImageCliTests.WritePng(Path.Combine(folder, cls, $"{i}.{(i % 2 == 0 ? "png" : "jpg")}"), grey, 8, 8,
                    i % 2 == 0 ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg);
            }
        }
        var (code, output, err) = CliRunner.Run("", "train", "--task", "image-classify", "--image-folder", folder, "--channels", "3",
            "--out", Out, "--steps", "3", "--d-model", "8", "--heads", "2", "--d-ff", "16", "--encoder-layers", "1", "--batch", "4",
            "--valid-fraction", "0.25", "--validate-every", "3", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Contains("done: 3 steps", output, StringComparison.Ordinal);
        Assert.Equal("bright\ndark\n", File.ReadAllText(Path.Combine(Out, "last", "labels.txt")));
        Assert.Contains("\"num_channels\": 3", File.ReadAllText(Path.Combine(Out, "last", "config.json")), StringComparison.Ordinal);
    }
}
