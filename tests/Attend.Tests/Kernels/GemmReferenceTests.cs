using Attend.Kernels;

namespace Attend.Tests.Kernels;

public class GemmReferenceTests
{
    [Fact]
    public void Multiply_HandCheckedTwoByTwo_GivesProduct()
    {
        float[] a = [1, 2, 3, 4];
        float[] b = [5, 6, 7, 8];
        float[] c = new float[4];
        Gemm.Multiply(false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
        Assert.Equal([19f, 22f, 43f, 50f], c);
    }

    [Fact]
    public void Multiply_TooShortOperand_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Contains("A holds 3", e.Message, StringComparison.Ordinal);
    }
}
