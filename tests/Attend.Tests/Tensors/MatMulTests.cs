using Attend.Tensors;

namespace Attend.Tests.Tensors;

public class MatMulTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatMul_BatchedWithTransposes_MatchesReference(bool ta, bool tb)
    {
        const int batch = 2, m = 3, k = 5, n = 4;
        int[] sa = ta ? [batch, k, m] : [batch, m, k];
        int[] sb = tb ? [batch, n, k] : [batch, k, n];
        GradCheck.Check(t => Ops.MatMul(t[0], t[1], ta, tb), x =>
        {
            var c = new List<double>();
            for (int i = 0; i < batch; i++)
                c.AddRange(Reference.MatMul(x[0].Skip(i * m * k).Take(m * k).ToArray(), sa[1], sa[2],
                    x[1].Skip(i * k * n).Take(k * n).ToArray(), sb[1], sb[2], ta, tb));
            return c.ToArray();
        }, [GradCheck.Random(batch * m * k, 1), GradCheck.Random(batch * k * n, 2)], [sa, sb]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatMul_SharedRightMatrix_SumsItsGradientOverTheBatch(bool tb)
    {
        const int batch = 3, m = 2, k = 4, n = 5;
        int[] sb = tb ? [n, k] : [k, n];
        GradCheck.Check(t => Ops.MatMul(t[0], t[1], false, tb), x =>
        {
            var c = new List<double>();
            for (int i = 0; i < batch; i++)
                c.AddRange(Reference.MatMul(x[0].Skip(i * m * k).Take(m * k).ToArray(), m, k, x[1], sb[0], sb[1], false, tb));
            return c.ToArray();
        }, [GradCheck.Random(batch * m * k, 3), GradCheck.Random(k * n, 4)], [[batch, m, k], sb]);
    }

    [Fact]
    public void Linear_MatchesReferenceAndFiniteDifferences()
    {
        const int rows = 6, inF = 5, outF = 3;
        GradCheck.Check(t => Ops.Linear(t[0], t[1], t[2]), x =>
        {
            double[] y = Reference.MatMul(x[0], rows, inF, x[1], outF, inF, false, true);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < outF; j++)
                    y[r * outF + j] += x[2][j];
            return y;
        }, [GradCheck.Random(rows * inF, 5), GradCheck.Random(outF * inF, 6), GradCheck.Random(outF, 7)], [[2, 3, inF], [outF, inF], [outF]]);
    }

    [Fact]
    public void MatMul_InnerDimensionsDiffer_ThrowsWithShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("MatMul", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 5]", e.Message, StringComparison.Ordinal);
    }
}
