using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Fused scaled dot-product attention, Z = dropout(softmax(Q K^T / sqrt(d_k) + M)) V, per batch entry and head:
    /// Q [B, H, Tq, Dk], K [B, H, Tk, Dk], V [B, H, Tk, Dv], Z [B, H, Tq, Dv].
    /// M is -infinity where <paramref name="keyPadding"/> ([B * Tk], true = padding) marks a key, and, when
    /// <paramref name="causal"/>, where key j lies in the future of query i (j &gt; i + Tk - Tq); a query that sees
    /// no key gets zero weights. When <paramref name="weights"/> is given ([B * H * Tq * Tk]) it receives the
    /// attention weights (after the softmax, before dropout), for plotting.
    /// Backward: dV += P^T dZ, dP = dZ V^T, dS = P (dP - rowsum(P dP)) / sqrt(d_k), dQ += dS K, dK += dS^T Q.
    /// </summary>
    public static Tensor ScaledDotProductAttention(
        Tensor q, Tensor k, Tensor v, bool[]? keyPadding = null, bool causal = false,
        float dropout = 0f, DropoutMasks? masks = null, float[]? weights = null) =>
        ScaledDotProductAttention(q, k, v, k.Shape.Rank == 4 ? k.Shape[2] : 0, keyPadding, causal, dropout, masks, weights);

    /// <summary>
    /// Attention over the first <paramref name="keyCount"/> of the K and V rows of each batch entry and head, for a
    /// key/value cache that keeps room for more positions ([B, H, capacity, Dk]); keyPadding and weights are then sized
    /// by keyCount. Inference only when keyCount is below the capacity: no input may require gradients.
    /// </summary>
    internal static Tensor ScaledDotProductAttention(
        Tensor q, Tensor k, Tensor v, int keyCount, bool[]? keyPadding = null, bool causal = false,
        float dropout = 0f, DropoutMasks? masks = null, float[]? weights = null)
    {
        if (q.Shape.Rank != 4 || k.Shape.Rank != 4 || v.Shape.Rank != 4
            || q.Shape[0] != k.Shape[0] || q.Shape[1] != k.Shape[1] || q.Shape[3] != k.Shape[3]
            || v.Shape[0] != k.Shape[0] || v.Shape[1] != k.Shape[1] || v.Shape[2] != k.Shape[2])
            throw new ArgumentException($"ScaledDotProductAttention: shapes Q {q.Shape}, K {k.Shape}, V {v.Shape} do not fit [B, H, T, Dk]");
        int b = q.Shape[0], heads = q.Shape[1], tq = q.Shape[2], dk = q.Shape[3], tk = keyCount, dv = v.Shape[3];
        if (keyCount < 0 || keyCount > k.Shape[2])
            throw new ArgumentException($"ScaledDotProductAttention: {keyCount} keys asked of K {k.Shape}");
        if (keyCount < k.Shape[2] && (q.RequiresGrad || k.RequiresGrad || v.RequiresGrad))
            throw new InvalidOperationException("ScaledDotProductAttention: attending to part of K and V is for inference (Autograd.NoGrad())");
        if (keyPadding is not null && keyPadding.Length != b * tk)
            throw new ArgumentException($"ScaledDotProductAttention: key padding of length {keyPadding.Length} does not fit batch {b} x keys {tk}");
        if (dropout > 0f && masks is null)
            throw new ArgumentException("ScaledDotProductAttention: dropout needs a source of masks");
        if (weights is not null && weights.Length != b * heads * tq * tk)
            throw new ArgumentException($"ScaledDotProductAttention: weights buffer of {weights.Length} does not fit [{b}, {heads}, {tq}, {tk}]");
        int pSize = tq * tk;
        float[] p = Workspace.Rent(b * heads * pSize, clear: false);
        float[]? keep = null;
        if (dropout > 0f)
        {
            keep = Workspace.Rent(b * heads * pSize, clear: false);
            masks!.Fill(keep.AsSpan(0, b * heads * pSize), dropout);
        }
        Tensor z = Tensor.Result(new Shape(b, heads, tq, dv), q, k, v);
        long work = (long)tq * tk * (dk + dv);
        float[]? droppedAll = keep is null ? null : Workspace.Rent(RowParallel.Workers(b * heads, work) * pSize, clear: false);
        RowParallel.For(b * heads, work, (q, k, v, z, p, keep, droppedAll, keyPadding, causal, tk), static (a, s, e, worker) =>
        {
            int heads = a.q.Shape[1], tq = a.q.Shape[2], dk = a.q.Shape[3], tk = a.tk, dv = a.v.Shape[3];
            int pSize = tq * tk, qSize = tq * dk, kSize = tk * dk, vSize = tk * dv, zSize = tq * dv, offset = tk - tq;
            int kStride = a.k.Shape[2] * dk, vStride = a.k.Shape[2] * dv;   // rows kept per block: the capacity of a cache
            float scale = 1f / MathF.Sqrt(dk);
            Span<float> dropped = a.droppedAll is null ? default : a.droppedAll.AsSpan(worker * pSize, pSize);
            for (int bh = s; bh < e; bh++)
            {
                int batch = bh / heads;
                Span<float> pi = a.p.AsSpan(bh * pSize, pSize);
                Gemm.Multiply(false, true, tq, tk, dk, scale, a.q.Data.Slice(bh * qSize, qSize), dk,
                    a.k.Data.Slice(bh * kStride, kSize), dk, 0f, pi, tk);
                for (int i = 0; i < tq; i++)
                {
                    Span<float> row = pi.Slice(i * tk, tk);
                    for (int j = 0; j < tk; j++)
                        if ((a.causal && j > i + offset) || (a.keyPadding is not null && a.keyPadding[batch * tk + j]))
                            row[j] = float.NegativeInfinity;
                    Kernels.Softmax.Forward(row, row);
                }
                ReadOnlySpan<float> used = pi;
                if (a.keep is not null)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(pi, a.keep.AsSpan(bh * pSize, pSize), dropped);
                    used = dropped;
                }
                Gemm.Multiply(false, false, tq, dv, tk, 1f, used, tk, a.v.Data.Slice(bh * vStride, vSize), dv, 0f,
                    a.z.Data.Slice(bh * zSize, zSize), dv);
            }
        });
        if (droppedAll is not null)
            Workspace.Release(droppedAll);
        if (weights is not null)
            p.AsSpan(0, weights.Length).CopyTo(weights);
        z.SaveForBackward(p, keep);
        z.SetBackward(static z => AttentionBackward(z));
        return z;
    }

    // Saved: Buffer0 = the attention weights P [B, H, Tq, Tk], Buffer1 = the dropout multipliers or null.
    private static void AttentionBackward(Tensor z)
    {
        Tensor q = z.Input0, k = z.Input1, v = z.Input2!;
        float[] p = z.Saved.Buffer0!;
        float[]? keep = z.Saved.Buffer1;
        int bhCount = q.Shape[0] * q.Shape[1], tq = q.Shape[2], dk = q.Shape[3], tk = k.Shape[2], dv = v.Shape[3];
        q.PrepareGrad();
        k.PrepareGrad();
        v.PrepareGrad();
        _ = z.Grad;
        long work = (long)tq * tk * (dk + dv) * 2;
        int workers = RowParallel.Workers(bhCount, work);
        float[] scratch = Workspace.Rent(workers * tq * tk * (keep is null ? 1 : 2), clear: false);
        RowParallel.For(bhCount, work, (q, k, v, z, p, keep, scratch, workers), static (a, s, e, worker) =>
        {
            Tensor q = a.q, k = a.k, v = a.v;
            int tq = q.Shape[2], dk = q.Shape[3], tk = k.Shape[2], dv = v.Shape[3];
            int pSize = tq * tk, qSize = tq * dk, kSize = tk * dk, vSize = tk * dv, zSize = tq * dv;
            float scale = 1f / MathF.Sqrt(dk);
            Span<float> dP = a.scratch.AsSpan(worker * pSize, pSize);
            Span<float> dropped = a.keep is null ? default : a.scratch.AsSpan((a.workers + worker) * pSize, pSize);
            for (int bh = s; bh < e; bh++)
            {
                ReadOnlySpan<float> pi = a.p.AsSpan(bh * pSize, pSize);
                ReadOnlySpan<float> dZ = a.z.Grad.Slice(bh * zSize, zSize);
                ReadOnlySpan<float> used = pi;
                if (a.keep is not null)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(pi, a.keep.AsSpan(bh * pSize, pSize), dropped);
                    used = dropped;
                }
                if (v.RequiresGrad)
                    Gemm.Multiply(true, false, tk, dv, tq, 1f, used, tk, dZ, dv, 1f, v.Grad.Slice(bh * vSize, vSize), dv);
                if (!q.RequiresGrad && !k.RequiresGrad)
                    continue;
                Gemm.Multiply(false, true, tq, tk, dv, 1f, dZ, dv, v.Data.Slice(bh * vSize, vSize), dv, 0f, dP, tk);
                if (a.keep is not null)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(dP, a.keep.AsSpan(bh * pSize, pSize), dP);
                for (int i = 0; i < tq; i++)
                {
                    ReadOnlySpan<float> pRow = pi.Slice(i * tk, tk);
                    Span<float> dRow = dP.Slice(i * tk, tk);
                    float dot = System.Numerics.Tensors.TensorPrimitives.Dot(pRow, dRow);
                    for (int j = 0; j < tk; j++)
                        dRow[j] = pRow[j] * (dRow[j] - dot) * scale;
                }
                if (q.RequiresGrad)
                    Gemm.Multiply(false, false, tq, dk, tk, 1f, dP, tk, k.Data.Slice(bh * kSize, kSize), dk, 1f, q.Grad.Slice(bh * qSize, qSize), dk);
                if (k.RequiresGrad)
                    Gemm.Multiply(true, false, tk, dk, tq, 1f, dP, tk, q.Data.Slice(bh * qSize, qSize), dk, 1f, k.Grad.Slice(bh * kSize, kSize), dk);
            }
        });
        Workspace.Release(scratch);
        Workspace.Release(p);
        if (keep is not null)
            Workspace.Release(keep);
    }
}
