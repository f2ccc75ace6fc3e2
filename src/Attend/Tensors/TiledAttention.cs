using System.Numerics.Tensors;
using Attend.Kernels;

namespace Attend.Tensors;

/// <summary>
/// Scaled dot-product attention in tiles, as FlashAttention computes it: for a block of query rows, the scores of one
/// block of keys at a time, S = Q K^T / sqrt(d_k), fold into a running row maximum m and sum l (the online softmax:
/// when m grows, what was accumulated is rescaled by exp(m_old - m_new)), and Z accumulates exp(S - m) V; at the end
/// Z /= l and the row statistic L = m + log l is kept. The backward pass recomputes each block's weights
/// P = exp(S - L) from L instead of reading a stored [B, H, Tq, Tk] matrix, so memory grows with T, not T^2.
/// Dropout on the weights uses <see cref="CounterDropout"/> masks, regenerated block by block.
/// Each (batch, head) is computed by one thread in a fixed order: results do not depend on the thread count.
/// </summary>
internal readonly struct TiledAttention
{
    /// <summary>Query rows per tile.</summary>
    public const int QueryBlock = 64;

    /// <summary>Keys per tile (a 64 x 128 score tile is 32 KiB, within the L1 cache).</summary>
    public const int KeyBlock = 128;

    private readonly Tensor _q, _k, _v, _z;
    private readonly int _keys;
    private readonly bool[]? _padding;
    private readonly bool _causal;
    private readonly float _dropout;
    private readonly DropoutMasks.CounterMask _mask;
    private readonly float[] _lse;
    private readonly float[] _scratch;
    private readonly int _clear;

    /// <summary>
    /// Attention of Q over the first <paramref name="keys"/> rows of each (batch, head) block of K and V into Z; L, the
    /// row statistics [B * H * Tq], is written by the forward pass and read by the backward pass; the scratch holds
    /// <see cref="ScratchPerWorker"/> floats per worker.
    /// </summary>
    public TiledAttention(Tensor q, Tensor k, Tensor v, Tensor z, int keys, bool[]? padding, bool causal, float dropout,
        DropoutMasks.CounterMask mask, float[] lse, float[] scratch, int clearGradients = 0)
    {
        (_q, _k, _v, _z, _keys, _padding, _causal, _dropout, _mask, _lse, _scratch, _clear) =
            (q, k, v, z, keys, padding, causal, dropout, mask, lse, scratch, clearGradients);
    }

    /// <summary>Flags for the backward pass: zero the (batch, head) block of dQ, dK or dV before adding to it.</summary>
    public const int ClearQ = 1, ClearK = 2, ClearV = 4;

    /// <summary>Scratch floats one worker needs: two score tiles, a tile of dropout multipliers and a row vector.</summary>
    public static int ScratchPerWorker => 3 * QueryBlock * KeyBlock + QueryBlock;

    private int Heads => _q.Shape[1];
    private int Tq => _q.Shape[2];
    private int Dk => _q.Shape[3];
    private int Dv => _v.Shape[3];
    private int Capacity => _k.Shape[2];   // rows stored per (batch, head): more than _keys for a key/value cache
    private float Scale => 1f / MathF.Sqrt(Dk);

    /// <summary>Z [bh, Tq, Dv] and L for (batch, head) blocks [start, end).</summary>
    public void Forward(int start, int end, int worker)
    {
        int tq = Tq, dk = Dk, dv = Dv, tk = _keys;
        Span<float> scratch = _scratch.AsSpan(worker * ScratchPerWorker, ScratchPerWorker);
        Span<float> s = scratch[..(QueryBlock * KeyBlock)];
        Span<float> keep = scratch.Slice(2 * QueryBlock * KeyBlock, QueryBlock * KeyBlock);
        Span<float> max = scratch.Slice(3 * QueryBlock * KeyBlock, QueryBlock);
        for (int bh = start; bh < end; bh++)
        {
            ReadOnlySpan<float> q = _q.ReadOnlyData.Slice(bh * tq * dk, tq * dk);
            ReadOnlySpan<float> k = _k.ReadOnlyData.Slice(bh * Capacity * dk, tk * dk);
            ReadOnlySpan<float> v = _v.ReadOnlyData.Slice(bh * Capacity * dv, tk * dv);
            Span<float> z = _z.Data.Slice(bh * tq * dv, tq * dv);
            Span<float> lse = _lse.AsSpan(bh * tq, tq);
            for (int i0 = 0; i0 < tq; i0 += QueryBlock)
            {
                int rows = Math.Min(QueryBlock, tq - i0), keyEnd = KeyEnd(i0, rows);
                Span<float> zBlock = z.Slice(i0 * dv, rows * dv);
                Span<float> sum = lse.Slice(i0, rows);   // l while the block runs, L at its end
                zBlock.Clear();
                sum.Clear();
                max[..rows].Fill(float.NegativeInfinity);
                for (int j0 = 0; j0 < keyEnd; j0 += KeyBlock)
                {
                    int cols = Math.Min(KeyBlock, keyEnd - j0);
                    Span<float> tile = s[..(rows * cols)];
                    Gemm.Multiply(false, true, rows, cols, dk, Scale, q.Slice(i0 * dk, rows * dk), dk, k.Slice(j0 * dk, cols * dk), dk, 0f, tile, cols);
                    for (int r = 0; r < rows; r++)
                    {
                        Span<float> row = tile.Slice(r * cols, cols);
                        Mask(row, bh, i0 + r, j0);
                        float rowMax = Math.Max(max[r], TensorPrimitives.Max(row));
                        if (float.IsNegativeInfinity(rowMax))
                        {
                            row.Clear();   // no key visible to this query yet
                            continue;
                        }
                        float rescale = Exponential.ExpScalar(max[r] - rowMax);   // 0 for the first visible block
                        sum[r] = sum[r] * rescale + Exponential.ExpSubtractSum(row, rowMax, row);
                        max[r] = rowMax;
                        if (rescale != 1f)
                            TensorPrimitives.Multiply(zBlock.Slice(r * dv, dv), rescale, zBlock.Slice(r * dv, dv));
                        if (_dropout > 0f)
                        {
                            CounterDropout.Multipliers(Seed(bh), Index(bh, i0 + r, j0), _dropout, keep[..cols]);
                            TensorPrimitives.Multiply(row, keep[..cols], row);
                        }
                    }
                    Gemm.Multiply(false, false, rows, dv, cols, 1f, tile, cols, v.Slice(j0 * dv, cols * dv), dv, 1f, zBlock, dv);
                }
                for (int r = 0; r < rows; r++)
                {
                    if (sum[r] > 0f)
                    {
                        TensorPrimitives.Multiply(zBlock.Slice(r * dv, dv), 1f / sum[r], zBlock.Slice(r * dv, dv));
                        sum[r] = max[r] + MathF.Log(sum[r]);
                    }
                    else
                    {
                        sum[r] = float.PositiveInfinity;   // no visible key: zero output, zero weights in the backward pass
                    }
                }
            }
        }
    }

    /// <summary>The weights P = exp(S - L) [bh, Tq, keys] (before dropout) into <paramref name="weights"/>, for plots.</summary>
    public void Weights(int start, int end, int worker, float[] weights)
    {
        int tq = Tq, dk = Dk, tk = _keys;
        Span<float> s = _scratch.AsSpan(worker * ScratchPerWorker, QueryBlock * KeyBlock);
        for (int bh = start; bh < end; bh++)
        {
            Span<float> w = weights.AsSpan(bh * tq * tk, tq * tk);
            w.Clear();
            for (int i0 = 0; i0 < tq; i0 += QueryBlock)
            {
                int rows = Math.Min(QueryBlock, tq - i0), keyEnd = KeyEnd(i0, rows);
                for (int j0 = 0; j0 < keyEnd; j0 += KeyBlock)
                {
                    int cols = Math.Min(KeyBlock, keyEnd - j0);
                    Span<float> tile = s[..(rows * cols)];
                    Probabilities(tile, bh, i0, rows, j0, cols, dk);
                    for (int r = 0; r < rows; r++)
                        tile.Slice(r * cols, cols).CopyTo(w.Slice((i0 + r) * tk + j0, cols));
                }
            }
        }
    }

    /// <summary>
    /// Gradients for (batch, head) blocks [start, end): with D_i = dZ_i . Z_i, per tile P = exp(S - L), dV += (P o M)^T dZ,
    /// dP = (dZ V^T) o M, dS = P o (dP - D) / sqrt(d_k), dQ += dS K, dK += dS^T Q (M the dropout multipliers).
    /// </summary>
    public void Backward(int start, int end, int worker)
    {
        int tq = Tq, dk = Dk, dv = Dv, tk = _keys;
        Tensor qT = _q, kT = _k, vT = _v;
        Span<float> scratch = _scratch.AsSpan(worker * ScratchPerWorker, ScratchPerWorker);
        Span<float> p = scratch[..(QueryBlock * KeyBlock)];
        Span<float> dP = scratch.Slice(QueryBlock * KeyBlock, QueryBlock * KeyBlock);
        Span<float> keep = scratch.Slice(2 * QueryBlock * KeyBlock, QueryBlock * KeyBlock);
        Span<float> d = scratch.Slice(3 * QueryBlock * KeyBlock, QueryBlock);
        for (int bh = start; bh < end; bh++)
        {
            ReadOnlySpan<float> q = qT.ReadOnlyData.Slice(bh * tq * dk, tq * dk), k = kT.ReadOnlyData.Slice(bh * tk * dk, tk * dk);
            ReadOnlySpan<float> v = vT.ReadOnlyData.Slice(bh * tk * dv, tk * dv);
            ReadOnlySpan<float> z = _z.Data.Slice(bh * tq * dv, tq * dv), dZ = _z.Grad.Slice(bh * tq * dv, tq * dv);
            Span<float> dQ = qT.RequiresGrad ? qT.Grad.Slice(bh * tq * dk, tq * dk) : default;
            Span<float> dK = kT.RequiresGrad ? kT.Grad.Slice(bh * tk * dk, tk * dk) : default;
            Span<float> dV = vT.RequiresGrad ? vT.Grad.Slice(bh * tk * dv, tk * dv) : default;
            if ((_clear & ClearQ) != 0)
                dQ.Clear();
            if ((_clear & ClearK) != 0)
                dK.Clear();
            if ((_clear & ClearV) != 0)
                dV.Clear();
            for (int i0 = 0; i0 < tq; i0 += QueryBlock)
            {
                int rows = Math.Min(QueryBlock, tq - i0), keyEnd = KeyEnd(i0, rows);
                ReadOnlySpan<float> qBlock = q.Slice(i0 * dk, rows * dk), dZBlock = dZ.Slice(i0 * dv, rows * dv);
                for (int r = 0; r < rows; r++)
                    d[r] = TensorPrimitives.Dot(dZBlock.Slice(r * dv, dv), z.Slice((i0 + r) * dv, dv));
                for (int j0 = 0; j0 < keyEnd; j0 += KeyBlock)
                {
                    int cols = Math.Min(KeyBlock, keyEnd - j0), size = rows * cols;
                    Span<float> pTile = p[..size], dPTile = dP[..size], keepTile = keep[..size];
                    Probabilities(pTile, bh, i0, rows, j0, cols, dk);
                    if (_dropout > 0f)
                    {
                        for (int r = 0; r < rows; r++)
                            CounterDropout.Multipliers(Seed(bh), Index(bh, i0 + r, j0), _dropout, keepTile.Slice(r * cols, cols));
                    }
                    if (vT.RequiresGrad)
                    {
                        ReadOnlySpan<float> used = pTile;
                        if (_dropout > 0f)
                        {
                            TensorPrimitives.Multiply(pTile, keepTile, dPTile);
                            used = dPTile;
                        }
                        Gemm.Multiply(true, false, cols, dv, rows, 1f, used, cols, dZBlock, dv, 1f, dV.Slice(j0 * dv, cols * dv), dv);
                    }
                    if (!qT.RequiresGrad && !kT.RequiresGrad)
                        continue;
                    Gemm.Multiply(false, true, rows, cols, dv, 1f, dZBlock, dv, v.Slice(j0 * dv, cols * dv), dv, 0f, dPTile, cols);
                    if (_dropout > 0f)
                        TensorPrimitives.Multiply(dPTile, keepTile, dPTile);
                    for (int r = 0; r < rows; r++)
                    {
                        Span<float> dRow = dPTile.Slice(r * cols, cols);
                        TensorPrimitives.Subtract(dRow, d[r], dRow);
                        TensorPrimitives.Multiply(dRow, pTile.Slice(r * cols, cols), dRow);
                    }
                    TensorPrimitives.Multiply(dPTile, Scale, dPTile);   // dS
                    if (qT.RequiresGrad)
                        Gemm.Multiply(false, false, rows, dk, cols, 1f, dPTile, cols, k.Slice(j0 * dk, cols * dk), dk, 1f, dQ.Slice(i0 * dk, rows * dk), dk);
                    if (kT.RequiresGrad)
                        Gemm.Multiply(true, false, cols, dk, rows, 1f, dPTile, cols, qBlock, dk, 1f, dK.Slice(j0 * dk, cols * dk), dk);
                }
            }
        }
    }

    // P = exp(S - L) of one tile, masked entries 0.
    private void Probabilities(Span<float> tile, int bh, int i0, int rows, int j0, int cols, int dk)
    {
        Gemm.Multiply(false, true, rows, cols, dk, Scale, _q.ReadOnlyData.Slice((bh * Tq + i0) * dk, rows * dk), dk,
            _k.ReadOnlyData.Slice((bh * Capacity + j0) * dk, cols * dk), dk, 0f, tile, cols);
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = tile.Slice(r * cols, cols);
            Mask(row, bh, i0 + r, j0);
            Exponential.ExpSubtractSum(row, _lse[bh * Tq + i0 + r], row);
        }
    }

    // -infinity where key j0 + c is padding or, when causal, lies after query i (j > i + keys - Tq).
    private void Mask(Span<float> row, int bh, int i, int j0)
    {
        if (_causal)
        {
            int firstHidden = i + _keys - Tq + 1 - j0;
            if (firstHidden < row.Length)
                row[Math.Max(0, firstHidden)..].Fill(float.NegativeInfinity);
        }
        if (_padding is not null)
        {
            int batch = bh / Heads;
            ReadOnlySpan<bool> pad = _padding.AsSpan(batch * _keys + j0, row.Length);
            for (int c = 0; c < row.Length; c++)
            {
                if (pad[c])
                    row[c] = float.NegativeInfinity;
            }
        }
    }

    // The keys a block of query rows [i0, i0 + rows) can see: all, or up to the last row's position when causal.
    private int KeyEnd(int i0, int rows) => _causal ? Math.Clamp(i0 + rows + _keys - Tq, 0, _keys) : _keys;

    // The dropout mask's counter of weight (bh, i, j): its position in the [H, Tq, keys] block of its batch entry, after
    // the entries before it in the same slice of the mask.
    private long Index(int bh, int i, int j) =>
        _mask.Offset(bh / Heads, (long)Heads * Tq * _keys) + ((long)(bh % Heads) * Tq + i) * _keys + j;

    private ulong Seed(int bh) => _mask.Seed(bh / Heads);
}
