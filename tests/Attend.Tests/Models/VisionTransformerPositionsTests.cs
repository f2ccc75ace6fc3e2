using Attend.Models;

namespace Attend.Tests.Models;

// The positions a new Vision Transformer starts from: MAE's 2D sine-cosine table, [CLS] zeros.
public class VisionTransformerPositionsTests
{
    [Fact]
    public void SinCos2D_HandCheckedPatch()
    {
        // D = 8: a quarter of 2, w = 1 and 10000^(-1/2) = 0.01; 2 x 2 patches, so row 3 is the patch at r = 1, c = 0.
        float[] table = new float[5 * 8];
        VisionTransformer.SinCos2D(table, rows: 2, cols: 2, d: 8);
        float[] expected = [0f, 0f, 1f, 1f, MathF.Sin(1f), MathF.Sin(0.01f), MathF.Cos(1f), MathF.Cos(0.01f)];
        Assert.Equal(expected, table.AsSpan(3 * 8, 8).ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void SinCos2D_ClassTokenRowIsZero_AndEveryPatchRowDiffers()
    {
        float[] table = new float[(1 + 7 * 7) * 64];
        VisionTransformer.SinCos2D(table, rows: 7, cols: 7, d: 64);
        Assert.All(table.AsSpan(0, 64).ToArray(), v => Assert.Equal(0f, v));
        var rows = Enumerable.Range(1, 49).Select(i => string.Join(",", table.AsSpan(i * 64, 64).ToArray())).ToList();
        Assert.Equal(49, rows.Distinct().Count());
    }

    [Fact]
    public void NewModel_StartsFromTheTable()
    {
        var model = VisionTransformer.Create(Training.ImageTrainingTests.TinyVit(), seed: 5);   // 8 x 8 images, 4 x 4 patches, D = 16
        float[] expected = new float[5 * 16];
        VisionTransformer.SinCos2D(expected, 2, 2, 16);
        Assert.Equal(expected, model.Positions.ToArray());
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
