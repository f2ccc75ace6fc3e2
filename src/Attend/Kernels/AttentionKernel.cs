using System.Numerics.Tensors;

namespace Attend.Kernels;

/// <summary>
/// One head of self-attention read straight from packed Q|K|V rows, for inference: for each query row i of a
/// sequence, s_j = (q_i . k_j) / sqrt(d_k) over the sequence's first <c>keys</c> rows, p = softmax(s), z_i = sum_j p_j v_j,
/// written into the head's columns of the output rows. Reading Q, K and V in place and writing Z in place saves the
/// four copies that splitting and merging heads costs the general path.
/// </summary>
public static class AttentionKernel
{
    /// <summary>
    /// qkv: rows of width <paramref name="qkvStride"/> holding Q, K and V (each <paramref name="width"/> wide, in that
    /// order); the sequence is rows [first, first + length); the head's columns start at <paramref name="column"/>
    /// within each of Q, K and V and span <paramref name="headSize"/>. Keys are the sequence's first
    /// <paramref name="keys"/> rows (keys &lt; length when the rest is padding). scores needs length (keys) floats.
    /// </summary>
    public static void Head(ReadOnlySpan<float> qkv, int qkvStride, int width, int first, int length, int keys, int column, int headSize,
        Span<float> scores, Span<float> z, int zStride)
    {
        if (headSize <= 0 || column < 0 || column + headSize > width || 3 * width > qkvStride)
            throw new ArgumentException($"AttentionKernel: head columns [{column}, {column + headSize}) do not fit Q|K|V of width {width} in rows of {qkvStride}");
        if (keys < 0 || keys > length || scores.Length < keys)
            throw new ArgumentException($"AttentionKernel: {keys} keys of a sequence of {length} need {keys} floats of scores, got {scores.Length}");
        if ((long)(first + length) * qkvStride > qkv.Length || (long)(first + length) * zStride > z.Length)
            throw new ArgumentException("AttentionKernel: the sequence runs past the rows given");
        float scale = 1f / MathF.Sqrt(headSize);
        Span<float> s = scores[..keys];
        for (int i = 0; i < length; i++)
        {
            ReadOnlySpan<float> q = qkv.Slice((first + i) * qkvStride + column, headSize);
            for (int j = 0; j < keys; j++)
                s[j] = TensorPrimitives.Dot(q, qkv.Slice((first + j) * qkvStride + width + column, headSize)) * scale;
            Softmax.Forward(s, s);
            Span<float> zi = z.Slice((first + i) * zStride + column, headSize);
            zi.Clear();
            for (int j = 0; j < keys; j++)
                TensorPrimitives.MultiplyAdd(qkv.Slice((first + j) * qkvStride + 2 * width + column, headSize), s[j], zi, zi);
        }
    }
}
