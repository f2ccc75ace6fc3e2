using System.Numerics.Tensors;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>[B, T, H*Dk] to [B, H, T, Dk]: splits the features into H heads (a permuting copy). Backward is the inverse permutation.</summary>
    public static Tensor SplitHeads(Tensor x, int heads) => SplitHeads(x, heads, 0, 1);

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> equal feature blocks of x [B, T, parts*H*Dk], split into heads
    /// [B, H, T, Dk]: reads Q, K or V straight out of one packed projection. Backward adds into that block only.
    /// </summary>
    public static Tensor SplitHeads(Tensor x, int heads, int part, int parts)
    {
        if (x.Shape.Rank != 3 || heads <= 0 || parts <= 0 || (uint)part >= (uint)parts || x.Shape[2] % (heads * parts) != 0)
            throw new ArgumentException($"SplitHeads: input {x.Shape} cannot split into part {part} of {parts} with {heads} heads");
        int b = x.Shape[0], t = x.Shape[1], width = x.Shape[2], dk = width / parts / heads;
        Tensor y = Tensor.Result(new Shape(b, heads, t, dk), x);
        Permute(x, false, y, false, b, t, heads, dk, width, part * heads * dk, toHeads: true, accumulate: false);
        y.Saved.Int0 = part;
        y.SetBackward(static y =>
        {
            // Saved: Int0 = the part; the rest follows from the shapes
            Tensor x = y.Input0;
            int b = y.Shape[0], heads = y.Shape[1], t = y.Shape[2], dk = y.Shape[3];
            if (!x.RequiresGrad)
                return;
            // the only part (parts = 1) writes all of x's gradient; one of several writes only its block
            bool overwrite = false;
            if (heads * dk == x.Shape[2])
                x.GradToOverwrite(out overwrite);
            Permute(y, true, x, true, b, t, heads, dk, x.Shape[2], y.Saved.Int0 * heads * dk, toHeads: false, accumulate: !overwrite);
        });
        return y;
    }

    /// <summary>[B, H, T, Dk] to [B, T, H*Dk]: concatenates the heads. Backward splits them again.</summary>
    public static Tensor MergeHeads(Tensor x)
    {
        if (x.Shape.Rank != 4)
            throw new ArgumentException($"MergeHeads: input must be [B, H, T, Dk], got {x.Shape}");
        int b = x.Shape[0], heads = x.Shape[1], t = x.Shape[2], dk = x.Shape[3];
        Tensor y = Tensor.Result(new Shape(b, t, heads * dk), x);
        Permute(x, false, y, false, b, t, heads, dk, heads * dk, 0, toHeads: false, accumulate: false);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            int b = x.Shape[0], heads = x.Shape[1], t = x.Shape[2], dk = x.Shape[3];
            if (x.RequiresGrad)
            {
                x.GradToOverwrite(out bool overwrite);
                Permute(y, true, x, true, b, t, heads, dk, heads * dk, 0, toHeads: true, accumulate: !overwrite);
            }
        });
        return y;
    }

    /// <summary>Copies (or adds) between the [B, T, width] layout (heads at feature offset <paramref name="at"/>) and [B, H, T, Dk].</summary>
    private static void Permute(Tensor source, bool sourceGrad, Tensor destination, bool destinationGrad, int b, int t, int heads, int dk, int width, int at, bool toHeads, bool accumulate)
    {
        // Batch entries touch disjoint parts of the destination, so they run in parallel; gradients are allocated
        // before the threads share them.
        if (sourceGrad)
            _ = source.Grad;
        if (destinationGrad)
            _ = destination.Grad;
        RowParallel.For(b, (long)t * heads * dk, (source, sourceGrad, destination, destinationGrad, t, heads, dk, width, at, toHeads, accumulate),
            static (a, s, e, _) => Permute(a.sourceGrad ? (ReadOnlySpan<float>)a.source.Grad : a.source.ReadOnlyData, a.destinationGrad ? a.destination.Grad : a.destination.Data,
                s, e, a.t, a.heads, a.dk, a.width, a.at, a.toHeads, a.accumulate));
    }

    private static void Permute(ReadOnlySpan<float> src, Span<float> dst, int first, int end, int t, int heads, int dk, int width, int at, bool toHeads, bool accumulate)
    {
        for (int i = first; i < end; i++)
            for (int j = 0; j < t; j++)
                for (int h = 0; h < heads; h++)
                {
                    int flat = (i * t + j) * width + at + h * dk;
                    int split = ((i * heads + h) * t + j) * dk;
                    ReadOnlySpan<float> from = src.Slice(toHeads ? flat : split, dk);
                    Span<float> to = dst.Slice(toHeads ? split : flat, dk);
                    if (accumulate)
                        TensorPrimitives.Add(to, from, to);
                    else
                        from.CopyTo(to);
                }
    }
}
