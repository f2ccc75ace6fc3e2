using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Bidirectional self-attention for inference from the packed projection Q|K|V [N, 3 dModel] of sequences laid
    /// end to end (no padding): the sequence s holds rows [sum of lengths before s, + lengths[s]). Returns Z [N, dModel],
    /// the heads already merged: Z = softmax(Q K^T / sqrt(d_k)) V per sequence and head. Outside autograd only.
    /// </summary>
    public static Tensor PackedSelfAttention(Tensor qkv, int heads, int[] lengths) => PackedSelfAttention(qkv, heads, lengths, null);

    /// <summary>
    /// The same for a right-padded batch qkv [B, T, 3 dModel], keyPadding [B * T] (true = padding, which must come
    /// after every kept position of its row); returns [B, T, dModel].
    /// </summary>
    public static Tensor PackedSelfAttention(Tensor qkv, int heads, bool[]? keyPadding)
    {
        if (qkv.Shape.Rank != 3)
            throw new ArgumentException($"PackedSelfAttention: qkv must be [B, T, 3 dModel], got {qkv.Shape}");
        int b = qkv.Shape[0], t = qkv.Shape[1];
        if (keyPadding is not null && keyPadding.Length != b * t)
            throw new ArgumentException($"PackedSelfAttention: key padding of {keyPadding.Length} does not fit [{b}, {t}]");
        int[] lengths = new int[b], keys = new int[b];
        for (int i = 0; i < b; i++)
        {
            lengths[i] = t;
            int kept = t;
            while (keyPadding is not null && kept > 0 && keyPadding[i * t + kept - 1])
                kept--;
            for (int j = 0; j < kept; j++)
                if (keyPadding is not null && keyPadding[i * t + j])
                    throw new ArgumentException("PackedSelfAttention: padding must follow the kept positions of each row");
            keys[i] = kept;
        }
        return PackedSelfAttention(qkv, heads, lengths, keys);
    }

    /// <summary>True when every row's padding (true = padding) follows all of its kept positions, as right padding leaves it.</summary>
    internal static bool IsRightPadded(bool[]? padding, int batch, int length)
    {
        if (padding is null)
            return true;
        if (padding.Length != batch * length)
            return false;
        for (int b = 0; b < batch; b++)
            for (int t = 1; t < length; t++)
                if (padding[b * length + t - 1] && !padding[b * length + t])
                    return false;
        return true;
    }

    private static Tensor PackedSelfAttention(Tensor qkv, int heads, int[] lengths, int[]? keys)
    {
        if (Autograd.IsEnabled && qkv.RequiresGrad)
            throw new InvalidOperationException("PackedSelfAttention: an inference operation (use it inside Autograd.NoGrad())");
        int width3 = qkv.Shape.Last, rows = qkv.Shape.Rows;
        if (width3 % 3 != 0 || width3 / 3 % heads != 0)
            throw new ArgumentException($"PackedSelfAttention: rows of {width3} do not split into Q, K, V of {heads} heads");
        long total = 0;
        int longest = 0;
        foreach (int length in lengths)
        {
            if (length < 0)
                throw new ArgumentException($"PackedSelfAttention: negative sequence length {length}");
            total += length;
            longest = Math.Max(longest, length);
        }
        if (total != rows)
            throw new ArgumentException($"PackedSelfAttention: sequence lengths add up to {total}, qkv {qkv.Shape} has {rows} rows");
        int width = width3 / 3;
        Tensor z = Tensor.Result(qkv.Shape.WithLast(width), qkv);
        int[] starts = new int[lengths.Length];
        for (int s = 1; s < lengths.Length; s++)
            starts[s] = starts[s - 1] + lengths[s - 1];
        int items = lengths.Length * heads, headSize = width / heads;
        long work = 2L * longest * longest * headSize;
        int scratchLength = Math.Max(1, AttentionKernel.ScratchLength(longest, headSize));
        float[] scratches = Workspace.Rent(RowParallel.Workers(items, work) * scratchLength, clear: false);   // one scratch per worker
        RowParallel.For(items, work, (qkv, z, starts, lengths, keys, heads, scratches, scratchLength), static (a, s, e, worker) =>
        {
            int width = a.z.Shape.Last, headSize = width / a.heads;
            Span<float> scratch = a.scratches.AsSpan(worker * a.scratchLength, a.scratchLength);
            for (int item = s; item < e; item++)
            {
                int sequence = item / a.heads, head = item % a.heads;
                int length = a.lengths[sequence];
                AttentionKernel.Head(a.qkv.ReadOnlyData, 3 * width, width, a.starts[sequence], length, a.keys?[sequence] ?? length,
                    head * headSize, headSize, scratch, a.z.Data, width);
            }
        });
        Workspace.Release(scratches);
        return z;
    }
}
