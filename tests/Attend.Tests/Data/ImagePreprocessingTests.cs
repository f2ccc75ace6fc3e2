using Attend.Data;
using Attend.Tensors;
using Attend.Tests.Tokenization;

namespace Attend.Tests.Data;

public class ImagePreprocessingTests
{
    private static readonly float[] Identity = Enumerable.Range(0, 256).Select(v => (float)v).ToArray();

    [Fact]
    public void Normalization_IsTheTrainingSetsMeanAndDeviation()
    {
        // two 1 x 1 x 2 images: pixels 0, 255, 0, 255 -> mean 0.5, deviation 0.5 (population) in [0, 1] units
        var set = new ImageSet([0, 255, 0, 255], [0, 1], 1, 1, 2, ["a", "b"]);
        ImageNormalization n = ImageNormalization.FromImages(set);
        Assert.Equal(0.5f, n.Mean[0], 1e-6f);
        Assert.Equal(0.5f, n.Std[0], 1e-6f);
        float[] table = n.Table();
        Assert.Equal(-1f, table[0], 1e-6f);
        Assert.Equal(1f, table[255], 1e-6f);
    }

    [Fact]
    public void Normalization_SavedAndLoaded_IsTheSame()
    {
        using var dir = new TempDirectory();
        var n = new ImageNormalization([0.1f, 0.2f, 0.3f], [0.4f, 0.5f, 0.6f]);
        n.Save(dir, 32, 48);
        ImageNormalization back = ImageNormalization.Load(dir, 3);
        Assert.Equal(n.Mean, back.Mean);
        Assert.Equal(n.Std, back.Std);
        string json = File.ReadAllText(Path.Combine(dir, ImageNormalization.FileName));
        Assert.Contains("\"image_processor_type\": \"ViTImageProcessor\"", json, StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => ImageNormalization.Load(dir, 1));
        Assert.Contains(ImageNormalization.FileName, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Augmentation_None_CopiesThroughTheTable()
    {
        byte[] image = [1, 2, 3, 4, 5, 6];
        float[] output = new float[6];
        ImageAugmentation.None.Apply(image, 1, 2, 3, Identity, new Rng(1), output);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, output);
    }

    [Fact]
    public void Augmentation_Flip_MirrorsRowsAboutHalfTheTime()
    {
        byte[] image = [1, 2, 3, 4, 5, 6];
        var flip = new ImageAugmentation(HorizontalFlip: true);
        var rng = new Rng(3);
        int mirrored = 0;
        for (int i = 0; i < 400; i++)
        {
            float[] output = new float[6];
            flip.Apply(image, 1, 2, 3, Identity, rng, output);
            if (output.SequenceEqual(new float[] { 3, 2, 1, 6, 5, 4 }))
                mirrored++;
            else
                Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, output);
        }
        Assert.InRange(mirrored, 160, 240);
    }

    [Fact]
    public void Augmentation_Crop_ShiftsTheImageWithinThePaddingAndFillsWithBlack()
    {
        // 3 x 3 image 1..9; every crop is the image shifted by (dy, dx) in [-1, 1], the rest black (0)
        byte[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var crop = new ImageAugmentation(CropPadding: 1);
        var rng = new Rng(5);
        var seen = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            float[] output = new float[9];
            crop.Apply(image, 1, 3, 3, Identity, rng, output);
            bool matched = false;
            for (int dy = -1; dy <= 1 && !matched; dy++)
                for (int dx = -1; dx <= 1 && !matched; dx++)
                {
                    float[] expected = new float[9];
                    for (int y = 0; y < 3; y++)
                        for (int x = 0; x < 3; x++)
                            expected[y * 3 + x] = y + dy is >= 0 and < 3 && x + dx is >= 0 and < 3 ? image[(y + dy) * 3 + x + dx] : 0;
                    if (expected.SequenceEqual(output))
                    {
                        matched = true;
                        seen.Add($"{dy},{dx}");
                    }
                }
            Assert.True(matched, string.Join(" ", output));
        }
        Assert.Equal(9, seen.Count);
    }

    [Fact]
    public void Augmentation_IsAFunctionOfTheGeneratorState()
    {
        byte[] image = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var both = new ImageAugmentation(2, true);
        float[] a = new float[64], b = new float[64];
        both.Apply(image, 1, 8, 8, Identity, new Rng(9), a);
        both.Apply(image, 1, 8, 8, Identity, new Rng(9), b);
        Assert.Equal(a, b);
    }
}
