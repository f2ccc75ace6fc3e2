namespace Attend.Tests.Tensors;

/// <summary>Naive double-precision references for the operations, written for clarity, not speed.</summary>
internal static class Reference
{
    /// <summary>NumPy broadcasting of a binary function.</summary>
    public static double[] Broadcast(double[] a, int[] sa, double[] b, int[] sb, Func<double, double, double> f, out int[] shape)
    {
        int rank = Math.Max(sa.Length, sb.Length);
        int[] pa = Pad(sa, rank), pb = Pad(sb, rank);
        shape = new int[rank];
        for (int i = 0; i < rank; i++)
            shape[i] = Math.Max(pa[i], pb[i]);
        int size = shape.Aggregate(1, (x, y) => x * y);
        double[] y = new double[size];
        int[] idx = new int[rank];
        for (int flat = 0; flat < size; flat++)
        {
            int rem = flat;
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            y[flat] = f(a[Index(idx, pa)], b[Index(idx, pb)]);
        }
        return y;
    }

    private static int[] Pad(int[] s, int rank) => Enumerable.Repeat(1, rank - s.Length).Concat(s).ToArray();

    private static int Index(int[] idx, int[] shape)
    {
        int at = 0;
        for (int d = 0; d < shape.Length; d++)
            at = at * shape[d] + (shape[d] == 1 ? 0 : idx[d]);
        return at;
    }

    /// <summary>C = op(A) op(B) for one matrix pair stored row-major.</summary>
    public static double[] MatMul(double[] a, int aRows, int aCols, double[] b, int bRows, int bCols, bool ta, bool tb)
    {
        int m = ta ? aCols : aRows, k = ta ? aRows : aCols, n = tb ? bRows : bCols;
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (ta ? a[p * aCols + i] : a[i * aCols + p]) * (tb ? b[j * bCols + p] : b[p * bCols + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    public static double[] SoftmaxRows(double[] x, int n, bool log = false)
    {
        double[] y = new double[x.Length];
        for (int r = 0; r < x.Length / n; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < n; j++)
                max = Math.Max(max, x[r * n + j]);
            if (double.IsNegativeInfinity(max))
                continue;
            double sum = 0;
            for (int j = 0; j < n; j++)
                sum += Math.Exp(x[r * n + j] - max);
            for (int j = 0; j < n; j++)
                y[r * n + j] = log ? x[r * n + j] - max - Math.Log(sum) : Math.Exp(x[r * n + j] - max) / sum;
        }
        return y;
    }

    public static double[] LayerNorm(double[] x, double[] g, double[] b, int n, double eps)
    {
        double[] y = new double[x.Length];
        for (int r = 0; r < x.Length / n; r++)
        {
            double mean = 0, var = 0;
            for (int j = 0; j < n; j++)
                mean += x[r * n + j];
            mean /= n;
            for (int j = 0; j < n; j++)
                var += (x[r * n + j] - mean) * (x[r * n + j] - mean);
            var /= n;
            for (int j = 0; j < n; j++)
                y[r * n + j] = (x[r * n + j] - mean) / Math.Sqrt(var + eps) * g[j] + b[j];
        }
        return y;
    }

    public static double Erf(double x)
    {
        // Maclaurin series, accurate to double precision for the small |x| used in tests
        double sum = 0, term = x;
        for (int n = 0; n < 60; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    public static double CrossEntropy(double[] logits, int v, int[] targets, int ignore, double eps)
    {
        double total = 0;
        int count = 0;
        double[] logp = SoftmaxRows(logits, v, log: true);
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] == ignore)
                continue;
            count++;
            double smooth = 0;
            for (int c = 0; c < v; c++)
                smooth -= logp[r * v + c];
            total += (1 - eps) * -logp[r * v + targets[r]] + eps * smooth / v;
        }
        return total / count;
    }

    /// <summary>softmax(Q K^T / sqrt(dk) + mask) V for every batch entry and head.</summary>
    /// <summary>
    /// softmax(Q K^T / sqrt(dk) + M) V per (batch, head); with <paramref name="keep"/>, weight (bh, i, j) is multiplied
    /// by keep(((bh * tq) + i) * tk + j) after the softmax (dropout).
    /// </summary>
    public static double[] Attention(double[] q, double[] k, double[] v, int b, int h, int tq, int tk, int dk, int dv, bool[]? pad, bool causal,
        Func<long, double>? keep = null)
    {
        double[] z = new double[b * h * tq * dv];
        for (int bi = 0; bi < b; bi++)
            for (int hi = 0; hi < h; hi++)
            {
                int bh = bi * h + hi;
                for (int i = 0; i < tq; i++)
                {
                    double[] s = new double[tk];
                    for (int j = 0; j < tk; j++)
                    {
                        bool masked = (causal && j > i + tk - tq) || (pad is not null && pad[bi * tk + j]);
                        double dot = 0;
                        for (int d = 0; d < dk; d++)
                            dot += q[(bh * tq + i) * dk + d] * k[(bh * tk + j) * dk + d];
                        s[j] = masked ? double.NegativeInfinity : dot / Math.Sqrt(dk);
                    }
                    double[] p = SoftmaxRows(s, tk);
                    for (int d = 0; d < dv; d++)
                    {
                        double acc = 0;
                        for (int j = 0; j < tk; j++)
                            acc += p[j] * (keep is null ? 1.0 : keep(((long)bh * tq + i) * tk + j)) * v[(bh * tk + j) * dv + d];
                        z[(bh * tq + i) * dv + d] = acc;
                    }
                }
            }
        return z;
    }
}
