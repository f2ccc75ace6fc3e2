using Attend.Tensors;

namespace Attend.Tests.Tensors;

/// <summary>The operations a Vision Transformer adds: patches, the patch embedding (a strided convolution), Expand and Slice.</summary>
public class ImageOpsTests
{
    [Fact]
    public void PatchEmbed_MatchesAStridedConvolution()
    {
        // B 2, C 2, H 4, W 6, P 2: a 2 x 3 grid of patches, D 3
        const int b = 2, c = 2, h = 4, w = 6, p = 2, d = 3;
        GradCheck.Check(t => Ops.PatchEmbed(t[0], t[1], t[2]), i => Convolution(i[0], i[1], i[2], b, c, h, w, p, d),
            [GradCheck.Random(b * c * h * w, 1), GradCheck.Random(d * c * p * p, 2), GradCheck.Random(d, 3)],
            [[b, c, h, w], [d, c, p, p], [d]]);
    }

    [Fact]
    public void Patches_CutsRowMajorPatchesChannelByChannel()
    {
        // one 1 x 2 x 4 x 4 image whose pixel value encodes (channel, row, column) as 100 c + 10 y + x
        float[] pixels = new float[2 * 16];
        for (int ch = 0; ch < 2; ch++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++)
                    pixels[ch * 16 + y * 4 + x] = 100 * ch + 10 * y + x;
        Tensor patches = Ops.Patches(Tensor.From(pixels, 1, 2, 4, 4), 2);
        Assert.Equal(new[] { 1, 4, 8 }, patches.Shape.ToArray());
        // patch 1 is the top-right 2 x 2 block: channel 0 rows 0-1, columns 2-3, then channel 1
        Assert.Equal(new float[] { 2, 3, 12, 13, 102, 103, 112, 113 }, patches.ToArray()[8..16]);
        Assert.Equal(new float[] { 20, 21, 30, 31, 120, 121, 130, 131 }, patches.ToArray()[16..24]);
    }

    [Fact]
    public void Patches_GradientGoesBackToThePixels() =>
        GradCheck.Check(t => Ops.Patches(t[0], 3), i => PatchesReference(i[0], 2, 1, 6, 3, 3), [GradCheck.Random(36, 4)], [[2, 1, 6, 3]]);

    [Fact]
    public void Patches_ImageSideNotAMultipleOfThePatch_IsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Patches(Tensor.Zeros(1, 1, 5, 4), 2));
        Assert.Contains("[1, 1, 5, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_RepeatsAlongSizeOneDimensionsAndSumsTheGradient() =>
        GradCheck.Check(t => Ops.Expand(t[0], 3, 2, 4), i => Enumerable.Range(0, 24).Select(j => i[0][j % 4]).ToArray(),
            [GradCheck.Random(4, 5)], [[1, 1, 4]]);

    [Fact]
    public void Expand_ToAnIncompatibleShape_IsAnError() =>
        Assert.Throws<ArgumentException>(() => Ops.Expand(Tensor.Zeros(2, 1, 4), 3, 1, 4));

    [Fact]
    public void Slice_TakesPositionsOfOneDimension()
    {
        // x [2, 3, 4]; positions 1..2 of dimension 1
        GradCheck.Check(t => Ops.Slice(t[0], 1, 1, 2),
            i => Enumerable.Range(0, 2 * 2 * 4).Select(j => i[0][(j / 8) * 12 + 4 + j % 8]).ToArray(),
            [GradCheck.Random(24, 6)], [[2, 3, 4]]);
    }

    [Fact]
    public void Slice_OutsideTheDimension_IsAnError() =>
        Assert.Throws<ArgumentException>(() => Ops.Slice(Tensor.Zeros(2, 3), 1, 2, 2));

    /// <summary>Conv2d(kernel P, stride P) then flatten(2).transpose(1, 2), in double precision.</summary>
    private static double[] Convolution(double[] x, double[] weight, double[] bias, int b, int c, int h, int w, int p, int d)
    {
        int gh = h / p, gw = w / p;
        double[] y = new double[b * gh * gw * d];
        for (int n = 0; n < b; n++)
            for (int py = 0; py < gh; py++)
                for (int px = 0; px < gw; px++)
                    for (int o = 0; o < d; o++)
                    {
                        double s = bias[o];
                        for (int ch = 0; ch < c; ch++)
                            for (int i = 0; i < p; i++)
                                for (int j = 0; j < p; j++)
                                    s += weight[((o * c + ch) * p + i) * p + j] * x[((n * c + ch) * h + py * p + i) * w + px * p + j];
                        y[((n * gh + py) * gw + px) * d + o] = s;
                    }
        return y;
    }

    private static double[] PatchesReference(double[] x, int b, int c, int h, int w, int p)
    {
        int gh = h / p, gw = w / p, k = c * p * p;
        double[] y = new double[b * gh * gw * k];
        for (int n = 0; n < b; n++)
            for (int py = 0; py < gh; py++)
                for (int px = 0; px < gw; px++)
                    for (int ch = 0; ch < c; ch++)
                        for (int i = 0; i < p; i++)
                            for (int j = 0; j < p; j++)
                                y[((n * gh + py) * gw + px) * k + (ch * p + i) * p + j] = x[((n * c + ch) * h + py * p + i) * w + px * p + j];
        return y;
    }
}
