using System.Numerics.Tensors;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Row lookup y[i] = table[ids[i]]: table [V, D], ids of shape <paramref name="idShape"/>, y [...idShape, D].
    /// Backward is a scatter-add: dTable[ids[i]] += dY[i].
    /// </summary>
    public static Tensor Embedding(Tensor table, int[] ids, params ReadOnlySpan<int> idShape) => Embedding(table, ids, idShape, -1);

    /// <summary>
    /// The lookup of <see cref="Embedding(Tensor, int[], ReadOnlySpan{int})"/> whose backward leaves the row of
    /// <paramref name="paddingId"/> alone (PyTorch's nn.Embedding(padding_idx), as BERT's word embeddings use it);
    /// -1 for none.
    /// </summary>
    public static Tensor Embedding(Tensor table, int[] ids, int[] idShape, int paddingId) => Embedding(table, ids, (ReadOnlySpan<int>)idShape, paddingId);

    private static Tensor Embedding(Tensor table, int[] ids, ReadOnlySpan<int> idShape, int paddingId)
    {
        if (table.Shape.Rank != 2)
            throw new ArgumentException($"Embedding: table must be [vocab, dim], got {table.Shape}");
        int vocab = table.Shape[0], d = table.Shape[1];
        var s = new Shape(idShape);
        if (s.Size != ids.Length || s.Rank > 3)
            throw new ArgumentException($"Embedding: {ids.Length} ids do not fill id shape {s} (rank at most 3)");
        foreach (int id in ids)
            if ((uint)id >= (uint)vocab)
                throw new ArgumentException($"Embedding: token id {id} is outside the vocabulary of {vocab}");
        Span<int> outDims = stackalloc int[s.Rank + 1];
        idShape.CopyTo(outDims);
        outDims[^1] = d;
        Tensor y = Tensor.Result(new Shape(outDims), table);
        ReadOnlySpan<float> t = table.ReadOnlyData;
        Span<float> yd = y.Data;
        for (int i = 0; i < ids.Length; i++)
            t.Slice(ids[i] * d, d).CopyTo(yd.Slice(i * d, d));
        y.Saved.Ids = ids;
        y.Saved.Int0 = paddingId;
        y.SetBackward(static y =>
        {
            // Saved: Ids = the token ids, Int0 = the padding id whose row gets no gradient (-1: none)
            Tensor table = y.Input0;
            int[] ids = y.Saved.Ids!;
            int paddingId = y.Saved.Int0;
            int d = table.Shape[1];
            if (!table.RequiresGrad)
                return;
            Span<float> dT = table.Grad;
            ReadOnlySpan<float> dY = y.Grad;
            for (int i = 0; i < ids.Length; i++)
            {
                if (ids[i] == paddingId)
                    continue;
                Span<float> row = dT.Slice(ids[i] * d, d);
                TensorPrimitives.Add(row, dY.Slice(i * d, d), row);
            }
        });
        return y;
    }
}
