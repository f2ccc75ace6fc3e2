using System.Numerics.Tensors;

namespace Attend.Kernels;

/// <summary>
/// Numerically stable softmax over one row: y_i = exp(x_i - max(x)) / sum_j exp(x_j - max(x)).
/// TensorPrimitives.SoftMax does not subtract the maximum and overflows on large logits, hence this kernel.
/// A row whose entries are all -infinity (every position masked) gives all zeros.
/// </summary>
public static class Softmax
{
    /// <summary>destination = softmax(x).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckSameLength(x.Length, destination.Length, nameof(destination));
        if (x.Length == 0)
            return;
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max))
        {
            destination.Clear();
            return;
        }
        float sum = Exponential.ExpSubtractSum(x, max, destination);
        TensorPrimitives.Multiply(destination, 1f / sum, destination);
    }

    /// <summary>destination = log softmax(x) = x - max - log(sum exp(x - max)).</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckSameLength(x.Length, destination.Length, nameof(destination));
        if (x.Length == 0)
            return;
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max))
        {
            destination.Fill(float.NegativeInfinity);
            return;
        }
        TensorPrimitives.Subtract(x, max, destination);
        float logSum = MathF.Log(SumExp(destination));
        TensorPrimitives.Subtract(destination, logSum, destination);
    }

    /// <summary>dX += y * (dY - sum_j y_j dY_j), the gradient of softmax given its output y.</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        CheckSameLength(y.Length, dY.Length, nameof(dY));
        CheckSameLength(y.Length, dX.Length, nameof(dX));
        float dot = TensorPrimitives.Dot(y, dY);
        for (int i = 0; i < y.Length; i++)
            dX[i] += y[i] * (dY[i] - dot);
    }

    /// <summary>dX += dY - exp(y) * sum_j dY_j, the gradient of log-softmax given its output y.</summary>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        CheckSameLength(y.Length, dY.Length, nameof(dY));
        CheckSameLength(y.Length, dX.Length, nameof(dX));
        float sum = TensorPrimitives.Sum(dY);
        for (int i = 0; i < y.Length; i++)
            dX[i] += dY[i] - MathF.Exp(y[i]) * sum;
    }

    /// <summary>The plain scalar softmax the vector path is tested against.</summary>
    internal static void ForwardScalar(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckSameLength(x.Length, destination.Length, nameof(destination));
        float max = float.NegativeInfinity;
        foreach (float v in x)
            max = MathF.Max(max, v);
        if (float.IsNegativeInfinity(max))
        {
            destination.Clear();
            return;
        }
        float sum = 0f;
        for (int i = 0; i < x.Length; i++)
            sum += destination[i] = MathF.Exp(x[i] - max);
        for (int i = 0; i < x.Length; i++)
            destination[i] /= sum;
    }

    private static float SumExp(ReadOnlySpan<float> shifted)
    {
        Span<float> buffer = stackalloc float[256];
        float sum = 0f;
        for (int start = 0; start < shifted.Length; start += buffer.Length)
        {
            int n = Math.Min(buffer.Length, shifted.Length - start);
            sum += Exponential.ExpSubtractSum(shifted.Slice(start, n), 0f, buffer[..n]);
        }
        return sum;
    }

    internal static void CheckSameLength(int expected, int actual, string name)
    {
        if (expected != actual)
            throw new ArgumentException($"{name} has length {actual}, expected {expected}", name);
    }
}
