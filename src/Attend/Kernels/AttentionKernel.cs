using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    /// <paramref name="keys"/> rows (keys &lt; length when the rest is padding). scratch needs
    /// <see cref="ScratchLength"/>(keys, headSize) floats. z_i = (sum_j e_j v_j) / (sum_j e_j) with
    /// e_j = exp(s_j - max_j s_j): the softmax's division is done once per row, on z, instead of once per weight.
    /// </summary>
    public static void Head(ReadOnlySpan<float> qkv, int qkvStride, int width, int first, int length, int keys, int column, int headSize,
        Span<float> scratch, Span<float> z, int zStride)
    {
        if (headSize <= 0 || column < 0 || column + headSize > width || 3 * width > qkvStride)
            throw new ArgumentException($"AttentionKernel: head columns [{column}, {column + headSize}) do not fit Q|K|V of width {width} in rows of {qkvStride}");
        if (keys < 0 || keys > length || scratch.Length < ScratchLength(keys, headSize))
            throw new ArgumentException($"AttentionKernel: {keys} keys of a sequence of {length} need {ScratchLength(keys, headSize)} floats of scratch, got {scratch.Length}");
        if ((long)(first + length) * qkvStride > qkv.Length || (long)(first + length) * zStride > z.Length)
            throw new ArgumentException("AttentionKernel: the sequence runs past the rows given");
        if (Vector512.IsHardwareAccelerated && keys > 0)
            HeadVector512(qkv, qkvStride, width, first, length, keys, column, headSize, scratch, z, zStride);
        else
            HeadPerKey(qkv, qkvStride, width, first, length, keys, column, headSize, scratch, z, zStride);
    }

    // With AVX-512: 16 keys' scores at a time from the keys transposed once per head, their exponentials as vectors, and
    // z accumulated 16 columns at a time in a register over the keys.
    private static void HeadVector512(ReadOnlySpan<float> qkv, int qkvStride, int width, int first, int length, int keys, int column, int headSize,
        Span<float> scratch, Span<float> z, int zStride)
    {
        const int lanes = 16;
        int padded = Padded(keys);
        TransposeKeys(qkv, qkvStride, first, keys, width + column, headSize, scratch);
        Span<float> e = scratch.Slice(headSize * padded, padded);
        float scale = 1f / MathF.Sqrt(headSize);
        for (int i = 0; i < length; i++)
        {
            ReadOnlySpan<float> q = qkv.Slice((first + i) * qkvStride + column, headSize);
            Span<float> zi = z.Slice((first + i) * zStride + column, headSize);
            float max = ScoresFromTransposedKeys(q, keys, scratch, e, scale);
            if (float.IsNegativeInfinity(max))
            {
                zi.Clear();                                 // no key with a finite score: z_i = 0
                continue;
            }
            // e_j = exp(s_j - max); the lanes past the last key hold -infinity and give 0
            Vector512<float> total = Vector512<float>.Zero, shift = Vector512.Create(max);
            for (int b = 0; b < padded; b += lanes)
            {
                Vector512<float> eb = Exponential.Exp(Vector512.Create(e[b..]) - shift);
                eb.CopyTo(e[b..]);
                total += eb;
            }
            float inverse = 1f / Vector512.Sum(total);
            // The rows of V lie inside qkv (checked on entry), so the loop reads them through a reference, without a
            // bounds check per key.
            ref float v = ref Unsafe.Add(ref MemoryMarshal.GetReference(qkv), first * qkvStride + 2 * width + column);
            ref float weights = ref MemoryMarshal.GetReference(e);
            int c = 0;
            for (; c <= headSize - lanes; c += lanes)
            {
                Vector512<float> acc = Vector512<float>.Zero;
                for (int j = 0; j < keys; j++)
                    acc = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weights, j)), Vector512.LoadUnsafe(ref v, (nuint)(j * qkvStride + c)), acc);
                (acc * inverse).CopyTo(zi[c..]);
            }
            for (; c < headSize; c++)
            {
                float acc = 0f;
                for (int j = 0; j < keys; j++)
                    acc = MathF.FusedMultiplyAdd(e[j], qkv[(first + j) * qkvStride + 2 * width + column + c], acc);
                zi[c] = acc * inverse;
            }
        }
    }

    // Without AVX-512: one key at a time, with the library's vector kernels.
    private static void HeadPerKey(ReadOnlySpan<float> qkv, int qkvStride, int width, int first, int length, int keys, int column, int headSize,
        Span<float> scratch, Span<float> z, int zStride)
    {
        Span<float> e = scratch[..keys];
        float scale = 1f / MathF.Sqrt(headSize);
        for (int i = 0; i < length; i++)
        {
            ReadOnlySpan<float> q = qkv.Slice((first + i) * qkvStride + column, headSize);
            Span<float> zi = z.Slice((first + i) * zStride + column, headSize);
            zi.Clear();
            float max = float.NegativeInfinity;
            for (int j = 0; j < keys; j++)
            {
                e[j] = TensorPrimitives.Dot(q, qkv.Slice((first + j) * qkvStride + width + column, headSize)) * scale;
                max = MathF.Max(max, e[j]);
            }
            if (float.IsNegativeInfinity(max))
                continue;                                   // no keys (or none with a finite score): z_i = 0
            float sum = Exponential.ExpSubtractSum(e, max, e);
            for (int j = 0; j < keys; j++)
                TensorPrimitives.MultiplyAdd(qkv.Slice((first + j) * qkvStride + 2 * width + column, headSize), e[j], zi, zi);
            TensorPrimitives.Multiply(zi, 1f / sum, zi);
        }
    }

    /// <summary>
    /// The floats of scratch <see cref="Head"/> needs: with AVX-512 the head's keys transposed (headSize rows of the key
    /// count rounded up to 16) and a row of scores; without it, a row of scores.
    /// </summary>
    public static int ScratchLength(int keys, int headSize) =>
        Vector512.IsHardwareAccelerated ? (headSize + 1) * Padded(keys) : keys;

    private static int Padded(int keys) => (keys + Vector512<float>.Count - 1) / Vector512<float>.Count * Vector512<float>.Count;

    // kt[c, j] = K[j, c] for the keys in rows [first, first + keys), zero in the lanes past the last key.
    private static void TransposeKeys(ReadOnlySpan<float> qkv, int stride, int first, int keys, int offset, int headSize, Span<float> kt)
    {
        int padded = Padded(keys);
        kt[..(headSize * padded)].Clear();
        ref float destination = ref MemoryMarshal.GetReference(kt);
        for (int j = 0; j < keys; j++)
        {
            ref float k = ref MemoryMarshal.GetReference(qkv.Slice((first + j) * stride + offset, headSize));
            for (int c = 0; c < headSize; c++)
                Unsafe.Add(ref destination, c * padded + j) = Unsafe.Add(ref k, c);
        }
    }

    // s_j = (q . k_j) * scale for 16 keys at a time from the transposed keys kt (lanes past the last key -infinity);
    // returns max_j s_j.
    private static float ScoresFromTransposedKeys(ReadOnlySpan<float> q, int keys, ReadOnlySpan<float> kt, Span<float> s, float scale)
    {
        int headSize = q.Length, padded = Padded(keys), lanes = Vector512<float>.Count;
        Vector512<float> max = Vector512.Create(float.NegativeInfinity);
        for (int b = 0; b < padded; b += lanes)
        {
            // four accumulators: a k step's FMA does not wait for the previous one
            // (kt holds headSize x padded floats: scratch's first ones, checked on entry)
            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            ref float qc = ref MemoryMarshal.GetReference(q);
            ref float kc = ref Unsafe.Add(ref MemoryMarshal.GetReference(kt), b);
            int c = 0;
            for (; c <= headSize - 4; c += 4)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qc, c)), Vector512.LoadUnsafe(ref kc, (nuint)(c * padded)), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qc, c + 1)), Vector512.LoadUnsafe(ref kc, (nuint)((c + 1) * padded)), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qc, c + 2)), Vector512.LoadUnsafe(ref kc, (nuint)((c + 2) * padded)), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qc, c + 3)), Vector512.LoadUnsafe(ref kc, (nuint)((c + 3) * padded)), a3);
            }
            for (; c < headSize; c++)
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qc, c)), Vector512.LoadUnsafe(ref kc, (nuint)(c * padded)), a0);
            Vector512<float> scores = ((a0 + a1) + (a2 + a3)) * scale;
            if (b + lanes > keys)
            {
                Vector512<int> lane = Vector512<int>.Indices + Vector512.Create(b);
                scores = Vector512.ConditionalSelect(Vector512.LessThan(lane, Vector512.Create(keys)).AsSingle(), scores, Vector512.Create(float.NegativeInfinity));
            }
            scores.CopyTo(s[b..]);
            max = Vector512.Max(max, scores);
        }
        Vector256<float> m8 = Vector256.Max(max.GetLower(), max.GetUpper());
        Vector128<float> m4 = Vector128.Max(m8.GetLower(), m8.GetUpper());
        return MathF.Max(MathF.Max(m4[0], m4[1]), MathF.Max(m4[2], m4[3]));
    }
}
