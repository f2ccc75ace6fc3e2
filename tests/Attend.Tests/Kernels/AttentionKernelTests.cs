using Attend.Kernels;

namespace Attend.Tests.Kernels;

/// <summary>One head of packed inference attention against a double-precision reference, for every head size the vector and scalar loops split and key counts across 16-lane blocks.</summary>
public class AttentionKernelTests
{
    [Fact]
    public void Head_EveryHeadSizeUpTo70_MatchesTheReference()
    {
        var rng = new Random(31);
        // 5 keys (one block of 16 lanes, most masked), 17 (a second block with one key) and 32 (two full blocks)
        foreach (var (length, keys) in new[] { (7, 5), (20, 17), (32, 32) })
        {
            for (int headSize = 1; headSize <= 70; headSize++)
                AssertHeadsMatchTheReference(length, keys, headSize, rng);
        }
    }

    [Fact]
    public void Head_NoKeys_GivesZeros()
    {
        float[] qkv = Enumerable.Range(0, 2 * 12).Select(v => (float)v).ToArray(), z = Enumerable.Repeat(9f, 2 * 4).ToArray();
        AttentionKernel.Head(qkv, 12, 4, 0, 2, 0, 0, 4, [], z, 4);
        Assert.All(z, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Head_ColumnsOutsideTheRow_AreRefused() =>
        Assert.Throws<ArgumentException>(() => AttentionKernel.Head(new float[24], 12, 4, 0, 2, 2, 2, 4, new float[2], new float[8], 4));

    // Two heads of one sequence (rows first .. first + length of padded rows) against the reference, column by column.
    private static void AssertHeadsMatchTheReference(int length, int keys, int headSize, Random rng)
    {
        const int heads = 2, first = 1;
        int width = heads * headSize, stride = 3 * width + 3;      // padded rows: the stride is not 3 * width
        float[] qkv = Enumerable.Range(0, (first + length) * stride).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        float[] z = new float[(first + length) * width];
        float[] scratch = new float[AttentionKernel.ScratchLength(keys, headSize)];
        for (int head = 0; head < heads; head++)
            AttentionKernel.Head(qkv, stride, width, first, length, keys, head * headSize, headSize, scratch, z, width);
        for (int head = 0; head < heads; head++)
            for (int i = 0; i < length; i++)
            {
                double[] expected = Reference(qkv, stride, width, first + i, first, keys, head * headSize, headSize);
                for (int c = 0; c < headSize; c++)
                {
                    float actual = z[(first + i) * width + head * headSize + c];
                    Assert.True(Math.Abs(actual - expected[c]) <= 1e-5 * (1 + Math.Abs(expected[c])),
                        $"head size {headSize}, {keys} keys, head {head}, row {i}, column {c}: {actual}, reference {expected[c]}");
                }
            }
    }

    // softmax(q k^T / sqrt(d)) v for one query row, in double precision.
    private static double[] Reference(float[] qkv, int stride, int width, int row, int first, int keys, int column, int headSize)
    {
        double[] s = new double[keys];
        for (int j = 0; j < keys; j++)
        {
            for (int c = 0; c < headSize; c++)
                s[j] += (double)qkv[row * stride + column + c] * qkv[(first + j) * stride + width + column + c];
            s[j] /= Math.Sqrt(headSize);
        }
        double max = s.Max(), sum = s.Sum(v => Math.Exp(v - max));
        double[] z = new double[headSize];
        for (int j = 0; j < keys; j++)
            for (int c = 0; c < headSize; c++)
                z[c] += Math.Exp(s[j] - max) / sum * qkv[(first + j) * stride + 2 * width + column + c];
        return z;
    }
}
