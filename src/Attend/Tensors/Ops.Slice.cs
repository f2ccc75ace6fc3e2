namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Positions [start, start + length) of dimension <paramref name="dim"/> (negative counts from the end), a copy:
    /// x[:, 0] of a Vision Transformer's output is Slice(x, 1, 0, 1). Backward adds dY into those positions of dX.
    /// </summary>
    public static Tensor Slice(Tensor x, int dim, int start, int length)
    {
        int rank = x.Shape.Rank;
        if (dim < 0)
            dim += rank;
        if ((uint)dim >= (uint)rank || start < 0 || length < 0 || start + length > x.Shape[dim])
            throw new ArgumentException($"Slice: [{start}, {start + length}) of dimension {dim} is outside {x.Shape}");
        Span<int> dims = stackalloc int[rank];
        for (int i = 0; i < rank; i++)
            dims[i] = i == dim ? length : x.Shape[i];
        Tensor y = Tensor.Result(new Shape(dims), x);
        (int outer, int rowIn, int chunk, int at) = SliceLayout(x.Shape, dim, start, length);
        for (int o = 0; o < outer; o++)
            x.ReadOnlyData.Slice(o * rowIn + at, chunk).CopyTo(y.Data.Slice(o * chunk, chunk));
        (y.Saved.Int0, y.Saved.Int1) = (dim, start);
        y.SetBackward(static y =>
        {
            // Saved: Int0 = the dimension, Int1 = the first position; the length is y's size along it
            Tensor x = y.Input0;
            if (!x.RequiresGrad)
                return;
            int dim = y.Saved.Int0;
            (int outer, int rowIn, int chunk, int at) = SliceLayout(x.Shape, dim, y.Saved.Int1, y.Shape[dim]);
            for (int o = 0; o < outer; o++)
            {
                Span<float> d = x.Grad.Slice(o * rowIn + at, chunk);
                System.Numerics.Tensors.TensorPrimitives.Add(d, y.Grad.Slice(o * chunk, chunk), d);
            }
        });
        return y;
    }

    // x as [outer, size along dim, inner]: each outer row of x holds rowIn floats, the slice is chunk floats from at.
    private static (int Outer, int RowIn, int Chunk, int At) SliceLayout(Shape shape, int dim, int start, int length)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++)
            outer *= shape[i];
        for (int i = dim + 1; i < shape.Rank; i++)
            inner *= shape[i];
        return (outer, shape[dim] * inner, length * inner, start * inner);
    }
}
