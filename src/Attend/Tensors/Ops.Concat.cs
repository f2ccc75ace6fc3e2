using System.Numerics.Tensors;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>Joins tensors along dimension <paramref name="dim"/> (negative counts from the end); the others must agree. Backward slices dY back.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts, int dim)
    {
        if (parts.Count == 0)
            throw new ArgumentException("Concat: nothing to join");
        Shape first = parts[0].Shape;
        int rank = first.Rank;
        if (dim < 0)
            dim += rank;
        if ((uint)dim >= (uint)rank)
            throw new ArgumentException($"Concat: dimension {dim} is outside rank {rank}");
        int total = 0;
        foreach (Tensor p in parts)
        {
            if (p.Shape.Rank != rank)
                throw new ArgumentException($"Concat: shapes {first} and {p.Shape} differ in rank");
            for (int i = 0; i < rank; i++)
                if (i != dim && p.Shape[i] != first[i])
                    throw new ArgumentException($"Concat: shapes {first} and {p.Shape} differ outside dimension {dim}");
            total += p.Shape[dim];
        }
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++)
            outer *= first[i];
        for (int i = dim + 1; i < rank; i++)
            inner *= first[i];
        Span<int> dims = stackalloc int[rank];
        for (int i = 0; i < rank; i++)
            dims[i] = i == dim ? total : first[i];
        Tensor[] inputs = [.. parts];
        Tensor y = Tensor.Result(new Shape(dims), inputs);
        int rowOut = total * inner;
        int at = 0;
        foreach (Tensor p in inputs)
        {
            int chunk = p.Shape[dim] * inner;
            for (int o = 0; o < outer; o++)
                p.ReadOnlyData.Slice(o * chunk, chunk).CopyTo(y.Data.Slice(o * rowOut + at, chunk));
            at += chunk;
        }
        y.Saved.Int0 = dim;
        y.SetBackward(static y => ConcatBackward(y));
        return y;
    }

    // Saved: Int0 = the dimension joined along; every input is recorded, in order.
    private static void ConcatBackward(Tensor y)
    {
        int dim = y.Saved.Int0, outer = 1, inner = 1;
        for (int i = 0; i < dim; i++)
            outer *= y.Shape[i];
        for (int i = dim + 1; i < y.Shape.Rank; i++)
            inner *= y.Shape[i];
        int rowOut = y.Shape[dim] * inner, start = 0;
        for (int j = 0; j < y.InputCount; j++)
        {
            Tensor p = y.Input(j);
            int chunk = p.Shape[dim] * inner;
            if (p.RequiresGrad)
                for (int o = 0; o < outer; o++)
                {
                    Span<float> d = p.Grad.Slice(o * chunk, chunk);
                    TensorPrimitives.Add(d, y.Grad.Slice(o * rowOut + start, chunk), d);
                }
            start += chunk;
        }
    }
}
