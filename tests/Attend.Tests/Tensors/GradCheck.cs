using Attend.Tensors;

namespace Attend.Tests.Tensors;

/// <summary>
/// Checks an operation against a naive double-precision reference: the forward values, and every input gradient
/// against central finite differences of the reference (loss = sum of output * fixed random weights).
/// </summary>
internal static class GradCheck
{
    public static void Check(
        Func<Tensor[], Tensor> op,
        Func<double[][], double[]> reference,
        double[][] inputs,
        int[][] shapes,
        double tolerance = 2e-4,
        bool[]? differentiable = null)
    {
        Tensor[] tensors = inputs.Select((x, i) => Tensor.From(x.Select(v => (float)v).ToArray(), shapes[i]).RequireGrad()).ToArray();
        Tensor y = op(tensors);
        double[] expected = reference(inputs);
        Assert.Equal(expected.Length, y.Length);
        AssertClose(expected, y.ToArray(), tolerance, "forward");

        var rng = new Random(7);
        double[] w = Enumerable.Range(0, y.Length).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        Tensor loss = Ops.Sum(Ops.Multiply(y, Tensor.From(w.Select(v => (float)v).ToArray(), y.Shape.ToArray())));
        loss.Backward();

        for (int i = 0; i < inputs.Length; i++)
        {
            if (differentiable is not null && !differentiable[i])
                continue;
            double[] numeric = new double[inputs[i].Length];
            for (int j = 0; j < numeric.Length; j++)
            {
                double keep = inputs[i][j];
                double h = 1e-6 * Math.Max(1.0, Math.Abs(keep));
                inputs[i][j] = keep + h;
                double up = Dot(reference(inputs), w);
                inputs[i][j] = keep - h;
                double down = Dot(reference(inputs), w);
                inputs[i][j] = keep;
                numeric[j] = (up - down) / (2 * h);
            }
            AssertClose(numeric, tensors[i].Grad.ToArray(), tolerance, $"gradient of input {i}");
        }
    }

    public static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1.0, expected.Select(Math.Abs).DefaultIfEmpty(0).Max());
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            if (double.IsNaN(actual[i]) || err > tolerance * scale)
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (error {err:E2}, tolerance {tolerance * scale:E2})");
        }
    }

    public static double[] Random(int n, int seed, double scale = 1.0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }
}
