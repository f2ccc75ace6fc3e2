using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Fused scaled dot-product attention, Z = dropout(softmax(Q K^T / sqrt(d_k) + M)) V, per batch entry and head:
    /// Q [B, H, Tq, Dk], K [B, H, Tk, Dk], V [B, H, Tk, Dv], Z [B, H, Tq, Dv], computed in tiles with an online softmax
    /// (<see cref="TiledAttention"/>): memory O(Tq) per head, not O(Tq Tk). The dropout mask is a counter-based one
    /// from <paramref name="masks"/> (<see cref="DropoutMasks.NextCounterMask"/>).
    /// M is -infinity where <paramref name="keyPadding"/> ([B * Tk], true = padding) marks a key, and, when
    /// <paramref name="causal"/>, where key j lies in the future of query i (j &gt; i + Tk - Tq); a query that sees
    /// no key gets zero weights. When <paramref name="weights"/> is given ([B * H * Tq * Tk]) it receives the
    /// attention weights (after the softmax, before dropout), for plotting.
    /// Backward, recomputing P tile by tile from the saved row statistics: dV += P^T dZ, dP = dZ V^T,
    /// dS = P (dP - rowsum(P dP)) / sqrt(d_k), dQ += dS K, dK += dS^T Q.
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
        // A counter-based mask, keyed like every other dropout mask by the step and each sequence's global position, which
        // the backward pass regenerates tile by tile.
        DropoutMasks.CounterMask mask = dropout > 0f ? masks!.NextCounterMask(b) : default;
        float[] lse = Workspace.Rent(b * heads * tq, clear: false);
        Tensor z = Tensor.Result(new Shape(b, heads, tq, dv), q, k, v);
        long work = (long)tq * tk * (dk + dv);
        int workers = RowParallel.Workers(b * heads, work);
        float[] scratch = Workspace.Rent(workers * TiledAttention.ScratchPerWorker, clear: false);
        var tiles = new TiledAttention(q, k, v, z, tk, keyPadding, causal, dropout, mask, lse, scratch);
        RowParallel.ForWorkers(b * heads, workers, tiles, static (a, s, e, worker) => a.Forward(s, e, worker));
        if (weights is not null)
            RowParallel.ForWorkers(b * heads, workers, (tiles, weights), static (a, s, e, worker) => a.tiles.Weights(s, e, worker, a.weights));
        Workspace.Release(scratch);
        z.SaveForBackward(lse);
        if (z.RequiresGrad)
        {
            z.Saved.Counter = mask;
            z.Saved.Scalar = dropout;
            z.Saved.Flag0 = causal;
            z.Saved.Mask = keyPadding;
        }
        z.SetBackward(static z => AttentionBackward(z));
        return z;
    }

    // flag when x needs a gradient that nobody has written yet (settled here, on the calling thread), else 0
    private static int Fresh(Tensor x, int flag)
    {
        if (!x.RequiresGrad)
            return 0;
        x.GradToOverwrite(out bool overwrite);
        return overwrite ? flag : 0;
    }

    // Saved: Buffer0 = the row statistics L [B * H * Tq], Counter and Scalar = the dropout mask and probability,
    // Flag0 = causal, Mask = the key padding.
    private static void AttentionBackward(Tensor z)
    {
        Tensor q = z.Input0, k = z.Input1, v = z.Input2!;
        float[] lse = z.Saved.Buffer0!;
        int bhCount = q.Shape[0] * q.Shape[1], tq = q.Shape[2], dk = q.Shape[3], tk = k.Shape[2], dv = v.Shape[3];
        // A gradient nobody has written yet is zeroed block by block by the worker that fills it, not in one pass here.
        int clear = Fresh(q, TiledAttention.ClearQ) | Fresh(k, TiledAttention.ClearK) | Fresh(v, TiledAttention.ClearV);
        _ = z.Grad;
        long work = (long)tq * tk * (dk + dv) * 3;
        int workers = RowParallel.Workers(bhCount, work);
        float[] scratch = Workspace.Rent(workers * TiledAttention.ScratchPerWorker, clear: false);
        var tiles = new TiledAttention(q, k, v, z, tk, z.Saved.Mask, z.Saved.Flag0, z.Saved.Scalar, z.Saved.Counter, lse, scratch, clear);
        RowParallel.ForWorkers(bhCount, workers, tiles, static (a, s, e, worker) => a.Backward(s, e, worker));
        Workspace.Release(scratch);
        Workspace.Release(lse);
    }
}
