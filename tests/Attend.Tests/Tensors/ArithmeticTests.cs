using Attend.Tensors;

namespace Attend.Tests.Tensors;

public class ArithmeticTests
{
    public static TheoryData<int[], int[]> BroadcastShapes => new()
    {
        { new[] { 2, 3 }, new[] { 2, 3 } },
        { new[] { 2, 3, 4 }, new[] { 4 } },
        { new[] { 2, 1, 4 }, new[] { 3, 1 } },
        { new[] { 2, 2, 3, 3 }, new[] { 2, 1, 1, 3 } },
        { new[] { 1 }, new[] { 2, 5 } },
    };

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Add_MatchesReferenceAndFiniteDifferences(int[] sa, int[] sb) =>
        CheckBinary(Ops.Add, (x, y) => x + y, sa, sb);

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Subtract_MatchesReferenceAndFiniteDifferences(int[] sa, int[] sb) =>
        CheckBinary(Ops.Subtract, (x, y) => x - y, sa, sb);

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Multiply_MatchesReferenceAndFiniteDifferences(int[] sa, int[] sb) =>
        CheckBinary(Ops.Multiply, (x, y) => x * y, sa, sb);

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Divide_MatchesReferenceAndFiniteDifferences(int[] sa, int[] sb) =>
        CheckBinary(Ops.Divide, (x, y) => x / y, sa, sb, positiveB: true);

    [Fact]
    public void Scale_MatchesReferenceAndFiniteDifferences() =>
        GradCheck.Check(t => Ops.Scale(t[0], 2.5f), x => x[0].Select(v => v * 2.5).ToArray(),
            [GradCheck.Random(12, 1)], [[3, 4]]);

    [Fact]
    public void Sum_And_Mean_MatchReference()
    {
        GradCheck.Check(t => Ops.Sum(t[0]), x => [x[0].Sum()], [GradCheck.Random(24, 2)], [[2, 3, 4]]);
        GradCheck.Check(t => Ops.Mean(t[0]), x => [x[0].Average()], [GradCheck.Random(24, 3)], [[2, 3, 4]]);
    }

    [Fact]
    public void Add_IncompatibleShapes_ThrowsNamingOpAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Add(Tensor.Zeros(2, 3), Tensor.Zeros(4)));
        Assert.Contains("Add", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_NaNInput_StaysNaN()
    {
        Tensor y = Ops.Add(Tensor.From([float.NaN, 1f], 2), Tensor.From([1f, float.PositiveInfinity], 2));
        Assert.True(float.IsNaN(y.Data[0]));
        Assert.True(float.IsPositiveInfinity(y.Data[1]));
    }

    private static void CheckBinary(Func<Tensor, Tensor, Tensor> op, Func<double, double, double> f, int[] sa, int[] sb, bool positiveB = false)
    {
        double[] a = GradCheck.Random(sa.Aggregate(1, (x, y) => x * y), 11);
        double[] b = GradCheck.Random(sb.Aggregate(1, (x, y) => x * y), 12);
        if (positiveB)
            b = b.Select(v => 1.5 + v).ToArray();
        GradCheck.Check(t => op(t[0], t[1]), x => Reference.Broadcast(x[0], sa, x[1], sb, f, out _), [a, b], [sa, sb]);
    }
}
