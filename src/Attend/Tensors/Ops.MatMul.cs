using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// C = op(A) op(B) over the last two dimensions, op(X) = X or X^T. A has leading batch dimensions
    /// ([..., M, K] after op); B is either a matrix shared by every batch entry or has the same leading dimensions as A.
    /// Backward: dop(A) += dC op(B)^T, dop(B) += op(A)^T dC (summed over the batch for a shared B).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        if (a.Shape.Rank < 2 || b.Shape.Rank < 2)
            throw new ArgumentException($"MatMul: operands need rank 2 or more, got {a.Shape} and {b.Shape}");
        int aRows = a.Shape[-2], aCols = a.Shape[-1], bRows = b.Shape[-2], bCols = b.Shape[-1];
        int m = transposeA ? aCols : aRows, k = transposeA ? aRows : aCols;
        int kB = transposeB ? bCols : bRows, n = transposeB ? bRows : bCols;
        int batch = a.Length / Math.Max(1, aRows * aCols);
        bool shared = b.Shape.Rank == 2;
        if (k != kB || (!shared && !SameLeading(a.Shape, b.Shape)))
            throw new ArgumentException($"MatMul: shapes {a.Shape}{(transposeA ? "^T" : "")} and {b.Shape}{(transposeB ? "^T" : "")} do not multiply");
        Tensor c = Tensor.Result(a.Shape.Rank == 2 ? new Shape(m, n) : LeadingWith(a.Shape, m, n), a, b);
        int aSize = aRows * aCols, bSize = shared ? 0 : bRows * bCols, cSize = m * n;
        if (shared && !transposeA)
        {
            // fold the batch into the rows: one large GEMM instead of many small ones
            Gemm.Multiply(false, transposeB, batch * m, n, k, 1f, a.ReadOnlyData, aCols, b.ReadOnlyData, bCols, 0f, c.Data, n);
        }
        else
        {
            for (int i = 0; i < batch; i++)
                Gemm.Multiply(transposeA, transposeB, m, n, k, 1f, a.ReadOnlyData.Slice(i * aSize, aSize), aCols,
                    b.ReadOnlyData.Slice(i * bSize, b.Length - i * bSize), bCols, 0f, c.Data.Slice(i * cSize, cSize), n);
        }
        (c.Saved.Flag0, c.Saved.Flag1) = (transposeA, transposeB);
        c.SetBackward(static c => MatMulBackward(c));
        return c;
    }

    // Saved: Flag0 = A is transposed, Flag1 = B is transposed.
    private static void MatMulBackward(Tensor c)
    {
        Tensor a = c.Input0, b = c.Input1;
        bool transposeA = c.Saved.Flag0, transposeB = c.Saved.Flag1;
        int aRows = a.Shape[-2], aCols = a.Shape[-1], bRows = b.Shape[-2], bCols = b.Shape[-1];
        int m = transposeA ? aCols : aRows, k = transposeA ? aRows : aCols, n = transposeB ? bRows : bCols;
        int batch = a.Length / Math.Max(1, aRows * aCols);
        int aSize = aRows * aCols, bSize = b.Shape.Rank == 2 ? 0 : bRows * bCols, cSize = m * n;
        // Every batch entry writes its own slice of dA (and of dB unless B is shared, when entries after the first add):
        // a gradient nobody has written yet is assigned (beta 0) instead of added to.
        bool overwriteA = false, overwriteB = false;
        Span<float> gradA = a.RequiresGrad ? a.GradToOverwrite(out overwriteA) : default;
        Span<float> gradB = b.RequiresGrad ? b.GradToOverwrite(out overwriteB) : default;
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> dC = c.Grad.Slice(i * cSize, cSize);
            ReadOnlySpan<float> aI = a.ReadOnlyData.Slice(i * aSize, aSize);
            ReadOnlySpan<float> bI = b.ReadOnlyData.Slice(i * bSize, b.Length - i * bSize);
            if (a.RequiresGrad)
            {
                Span<float> dA = gradA.Slice(i * aSize, aSize);
                float beta = overwriteA ? 0f : 1f;
                if (!transposeA)
                    Gemm.Multiply(false, !transposeB, m, k, n, 1f, dC, n, bI, bCols, beta, dA, aCols);
                else
                    Gemm.Multiply(transposeB, true, k, m, n, 1f, bI, bCols, dC, n, beta, dA, aCols);
            }
            if (b.RequiresGrad)
            {
                Span<float> dB = gradB.Slice(i * bSize, b.Length - i * bSize);
                float beta = overwriteB && (bSize != 0 || i == 0) ? 0f : 1f;
                if (!transposeB)
                    Gemm.Multiply(!transposeA, false, k, n, m, 1f, aI, aCols, dC, n, beta, dB, bCols);
                else
                    Gemm.Multiply(true, transposeA, n, k, m, 1f, dC, n, aI, aCols, beta, dB, bCols);
            }
        }
    }

    private static bool SameLeading(Shape a, Shape b)
    {
        if (a.Rank != b.Rank)
            return false;
        for (int i = 0; i < a.Rank - 2; i++)
            if (a[i] != b[i])
                return false;
        return true;
    }

    private static Shape LeadingWith(Shape s, int rows, int cols)
    {
        Span<int> d = stackalloc int[s.Rank];
        for (int i = 0; i < s.Rank - 2; i++)
            d[i] = s[i];
        d[^2] = rows;
        d[^1] = cols;
        return new Shape(d);
    }
}
