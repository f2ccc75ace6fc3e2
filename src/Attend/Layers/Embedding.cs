using Attend.Tensors;

namespace Attend.Layers;

/// <summary>Token embedding: row lookup in a table [vocab, dModel], optionally scaled by sqrt(dModel) as in the paper.</summary>
public sealed class Embedding
{
    /// <summary>
    /// Declares the table "{name}" in <paramref name="store"/>; the row of <paramref name="paddingId"/> (if not -1)
    /// gets no gradient, as PyTorch's nn.Embedding(padding_idx).
    /// </summary>
    public Embedding(ParameterStore store, string name, int vocab, int dModel, bool scale, ParameterInit init = ParameterInit.XavierUniform, int paddingId = -1)
        : this(store.Create(name, new Shape(vocab, dModel), init), scale)
    {
        PaddingId = paddingId;
    }

    /// <summary>An embedding over an existing table (tied weights).</summary>
    public Embedding(Tensor table, bool scale)
    {
        Table = table;
        Scale = scale ? MathF.Sqrt(table.Shape[1]) : 1f;
    }

    /// <summary>The table [vocab, dModel].</summary>
    public Tensor Table { get; }

    /// <summary>The factor applied to the looked-up rows: sqrt(dModel) or 1.</summary>
    public float Scale { get; }

    /// <summary>The token whose row gets no gradient, or -1.</summary>
    public int PaddingId { get; } = -1;

    /// <summary>The vocabulary size.</summary>
    public int Vocabulary => Table.Shape[0];

    /// <summary>ids [B, T] to embeddings [B, T, dModel], times <see cref="Scale"/>.</summary>
    public Tensor Forward(int[] ids, int batch, int length)
    {
        Tensor e = PaddingId < 0 ? Ops.Embedding(Table, ids, batch, length) : Ops.Embedding(Table, ids, [batch, length], PaddingId);
        return Scale == 1f ? e : Ops.Scale(e, Scale);
    }
}
