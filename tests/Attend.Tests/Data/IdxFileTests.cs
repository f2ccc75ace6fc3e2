using System.IO.Compression;
using Attend.Data;
using Attend.Tests.Tokenization;

namespace Attend.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void ImagesAndLabels_RoundTripGzippedOrNot(string name)
    {
        byte[] pixels = Enumerable.Range(0, 3 * 2 * 4).Select(i => (byte)(i * 7)).ToArray();
        string images = Path.Combine(_dir, name), labels = Path.Combine(_dir, name.Replace("images-idx3", "labels-idx1", StringComparison.Ordinal));
        IdxFile.Write(images, [3, 2, 4], pixels);
        IdxFile.Write(labels, [3], [2, 0, 1]);
        ImageSet set = ImageSet.FromIdx(images, labels);
        Assert.Equal((3, 1, 2, 4), (set.Count, set.Channels, set.Height, set.Width));
        Assert.Equal(pixels, set.Pixels);
        Assert.Equal(new[] { 2, 0, 1 }, set.Labels);
        Assert.Equal(new[] { "0", "1", "2" }, set.Classes);
    }

    [Fact]
    public void Header_IsReadBigEndian()
    {
        string path = Path.Combine(_dir, "by-hand");
        // magic 0x00000803, dims 1 x 2 x 3, then six pixels
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
        (int[] dims, byte[] data) = IdxFile.Read(path);
        Assert.Equal(new[] { 1, 2, 3 }, dims);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, data);
    }

    [Fact]
    public void WrongMagicNumber_NamesTheFile()
    {
        string path = Path.Combine(_dir, "not-idx.png");
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 0, 0, 0, 1]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("magic number", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData_NamesTheFileAndTheSizes(bool gzip)
    {
        string path = Path.Combine(_dir, gzip ? "short.gz" : "short");
        byte[] content = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3];   // 8 pixels announced, 3 present
        if (gzip)
        {
            using var file = File.Create(path);
            using var gz = new GZipStream(file, CompressionLevel.Fastest);
            gz.Write(content);
        }
        else
        {
            File.WriteAllBytes(path, content);
        }
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("8 data bytes, the file has 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedGzipStream_NamesTheFile()
    {
        string path = Path.Combine(_dir, "cut.gz");
        IdxFile.Write(path, [100, 28, 28], new byte[100 * 28 * 28]);
        byte[] all = File.ReadAllBytes(path);
        File.WriteAllBytes(path, all[..(all.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageAndLabelCountsThatDiffer_NameBothFiles()
    {
        string images = Path.Combine(_dir, "images"), labels = Path.Combine(_dir, "labels");
        IdxFile.Write(images, [3, 2, 2], new byte[12]);
        IdxFile.Write(labels, [2], [0, 1]);
        var e = Assert.Throws<InvalidDataException>(() => ImageSet.FromIdx(images, labels));
        Assert.Contains($"{images} holds 3 images but {labels} holds 2 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelFileGivenAsImages_IsAnErrorNamingIt()
    {
        string labels = Path.Combine(_dir, "labels");
        IdxFile.Write(labels, [2], [0, 1]);
        var e = Assert.Throws<InvalidDataException>(() => ImageSet.FromIdx(labels, labels));
        Assert.Contains($"{labels}: an image file has 3 dimensions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_NamesIt()
    {
        string path = Path.Combine(_dir, "absent.gz");
        var e = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
