using System.Numerics.Tensors;

namespace Attend.Tensors;

/// <summary>
/// NumPy broadcasting of two shapes, right-aligned: a dimension of 1 (or a missing leading one) stretches to the other.
/// Shapes are padded to rank 4; an operand's stride is 0 along the dimensions it is stretched over.
/// </summary>
internal readonly struct Broadcast
{
    public readonly Shape Output;
    private readonly int _o0, _o1, _o2, _o3;
    private readonly int _a0, _a1, _a2, _a3;
    private readonly int _b0, _b1, _b2, _b3;

    public Broadcast(string op, Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> o = stackalloc int[4];
        Span<int> sa = stackalloc int[4];
        Span<int> sb = stackalloc int[4];
        int strideA = 1, strideB = 1;
        for (int i = 3; i >= 0; i--)
        {
            int k = i - (4 - rank);
            int da = Dim(a, k - (rank - a.Rank)), db = Dim(b, k - (rank - b.Rank));
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {a} and {b} do not broadcast");
            o[i] = Math.Max(da, db);
            if (da == 0 || db == 0)
                o[i] = 0;
            sa[i] = da == 1 && o[i] != 1 ? 0 : strideA;
            sb[i] = db == 1 && o[i] != 1 ? 0 : strideB;
            strideA *= da;
            strideB *= db;
        }
        Span<int> dims = stackalloc int[rank];
        for (int i = 0; i < rank; i++)
            dims[i] = o[4 - rank + i];
        Output = new Shape(dims);
        (_o0, _o1, _o2, _o3) = (o[0], o[1], o[2], o[3]);
        (_a0, _a1, _a2, _a3) = (sa[0], sa[1], sa[2], sa[3]);
        (_b0, _b1, _b2, _b3) = (sb[0], sb[1], sb[2], sb[3]);
    }

    private static int Dim(Shape s, int i) => i < 0 ? 1 : s[i];

    /// <summary>y = f(a, b) element-wise over the output shape; the kind selects the vector primitive.</summary>
    public void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, BinaryKind kind)
    {
        int n = _o3, yAt = 0;
        for (int i0 = 0; i0 < _o0; i0++)
            for (int i1 = 0; i1 < _o1; i1++)
                for (int i2 = 0; i2 < _o2; i2++, yAt += n)
                {
                    int aAt = i0 * _a0 + i1 * _a1 + i2 * _a2, bAt = i0 * _b0 + i1 * _b1 + i2 * _b2;
                    Row(a, aAt, _a3, b, bAt, _b3, y.Slice(yAt, n), kind);
                }
    }

    /// <summary>Adds <paramref name="dY"/> (output shape) into <paramref name="dA"/>, summing over the dimensions A was stretched along.</summary>
    public void ReduceIntoA(ReadOnlySpan<float> dY, Span<float> dA) => Reduce(dY, dA, _a0, _a1, _a2, _a3);

    /// <summary>Adds <paramref name="dY"/> (output shape) into <paramref name="dB"/>, summing over the dimensions B was stretched along.</summary>
    public void ReduceIntoB(ReadOnlySpan<float> dY, Span<float> dB) => Reduce(dY, dB, _b0, _b1, _b2, _b3);

    /// <summary>Expands A to the output shape (a copy with the stretched dimensions repeated).</summary>
    public void ExpandA(ReadOnlySpan<float> a, Span<float> y) => Expand(a, y, _a0, _a1, _a2, _a3);

    /// <summary>Expands B to the output shape.</summary>
    public void ExpandB(ReadOnlySpan<float> b, Span<float> y) => Expand(b, y, _b0, _b1, _b2, _b3);

    private void Reduce(ReadOnlySpan<float> dY, Span<float> dX, int s0, int s1, int s2, int s3)
    {
        int n = _o3, yAt = 0;
        for (int i0 = 0; i0 < _o0; i0++)
            for (int i1 = 0; i1 < _o1; i1++)
                for (int i2 = 0; i2 < _o2; i2++, yAt += n)
                {
                    int at = i0 * s0 + i1 * s1 + i2 * s2;
                    ReadOnlySpan<float> row = dY.Slice(yAt, n);
                    if (s3 == 1)
                        TensorPrimitives.Add(dX.Slice(at, n), row, dX.Slice(at, n));
                    else
                        dX[at] += TensorPrimitives.Sum(row);
                }
    }

    private void Expand(ReadOnlySpan<float> x, Span<float> y, int s0, int s1, int s2, int s3)
    {
        int n = _o3, yAt = 0;
        for (int i0 = 0; i0 < _o0; i0++)
            for (int i1 = 0; i1 < _o1; i1++)
                for (int i2 = 0; i2 < _o2; i2++, yAt += n)
                {
                    int at = i0 * s0 + i1 * s1 + i2 * s2;
                    if (s3 == 1)
                        x.Slice(at, n).CopyTo(y.Slice(yAt, n));
                    else
                        y.Slice(yAt, n).Fill(x[at]);
                }
    }

    private static void Row(ReadOnlySpan<float> a, int aAt, int sa, ReadOnlySpan<float> b, int bAt, int sb, Span<float> y, BinaryKind kind)
    {
        int n = y.Length;
        if (sa == 1 && sb == 1)
        {
            ReadOnlySpan<float> x = a.Slice(aAt, n), z = b.Slice(bAt, n);
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(x, z, y); break;
                case BinaryKind.Subtract: TensorPrimitives.Subtract(x, z, y); break;
                case BinaryKind.Multiply: TensorPrimitives.Multiply(x, z, y); break;
                default: TensorPrimitives.Divide(x, z, y); break;
            }
        }
        else if (sa == 1)
        {
            ReadOnlySpan<float> x = a.Slice(aAt, n);
            float z = b[bAt];
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(x, z, y); break;
                case BinaryKind.Subtract: TensorPrimitives.Subtract(x, z, y); break;
                case BinaryKind.Multiply: TensorPrimitives.Multiply(x, z, y); break;
                default: TensorPrimitives.Divide(x, z, y); break;
            }
        }
        else if (sb == 1)
        {
            float x = a[aAt];
            ReadOnlySpan<float> z = b.Slice(bAt, n);
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(z, x, y); break;
                case BinaryKind.Subtract: TensorPrimitives.Subtract(x, z, y); break;
                case BinaryKind.Multiply: TensorPrimitives.Multiply(z, x, y); break;
                default: TensorPrimitives.Divide(x, z, y); break;
            }
        }
        else
        {
            float x = a[aAt], z = b[bAt];
            y.Fill(kind switch
            {
                BinaryKind.Add => x + z,
                BinaryKind.Subtract => x - z,
                BinaryKind.Multiply => x * z,
                _ => x / z,
            });
        }
    }
}

/// <summary>The element-wise binary operations that share the broadcasting machinery.</summary>
internal enum BinaryKind
{
    Add,
    Subtract,
    Multiply,
    Divide,
}
