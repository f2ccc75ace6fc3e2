using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// Positions added to the token embeddings: the paper's sinusoids, PE[t, 2k] = sin(t w_k), PE[t, 2k+1] = cos(t w_k),
/// w_k = 1 / 10000^(2k / dModel); or a learned table [maxLen, dModel].
/// </summary>
public sealed class PositionalEncoding
{
    private readonly float[]? _table;

    /// <summary>Sinusoidal (no parameters) or learned ("{name}" in the store).</summary>
    public PositionalEncoding(ParameterStore store, string name, int maxLen, int dModel, bool learned)
    {
        MaxLength = maxLen;
        DModel = dModel;
        if (learned)
            Learned = store.Create(name, new Shape(maxLen, dModel), ParameterInit.SmallNormal);
        else
            _table = Sinusoids(maxLen, dModel);
    }

    /// <summary>The longest sequence the encoding covers.</summary>
    public int MaxLength { get; }

    /// <summary>The model width.</summary>
    public int DModel { get; }

    /// <summary>The learned table, or null for sinusoids.</summary>
    public Tensor? Learned { get; }

    /// <summary>The sinusoid table [maxLen, dModel] in double precision before rounding to float.</summary>
    public static float[] Sinusoids(int maxLen, int dModel)
    {
        float[] pe = new float[maxLen * dModel];
        for (int t = 0; t < maxLen; t++)
            for (int i = 0; i < dModel; i++)
            {
                int k = i / 2;
                double w = 1.0 / Math.Pow(10000.0, 2.0 * k / dModel);
                pe[t * dModel + i] = (float)(i % 2 == 0 ? Math.Sin(t * w) : Math.Cos(t * w));
            }
        return pe;
    }

    /// <summary>
    /// x [B, 1, dModel] plus, for each batch entry b, the encoding of its own position <paramref name="positions"/>[b]:
    /// one decoding step of sequences that have reached different lengths (continuous batching).
    /// </summary>
    public Tensor Forward(Tensor x, int[] positions)
    {
        if (x.Shape.Rank != 3 || x.Shape[1] != 1 || x.Shape[0] != positions.Length)
            throw new ArgumentException($"PositionalEncoding: {positions.Length} positions do not fit x {x.Shape} (one new position per batch entry)");
        foreach (int t in positions)
            if ((uint)t >= (uint)MaxLength)
                throw new ArgumentException($"PositionalEncoding: position {t} is outside the maximum length {MaxLength}");
        Tensor table = Learned ?? Tensor.Create(new Shape(MaxLength, DModel), _table!, 0);
        return Ops.Add(x, Ops.Embedding(table, positions, positions.Length, 1));   // [B, 1, dModel]
    }

    /// <summary>x [B, T, dModel] plus the encodings of positions start .. start + T - 1.</summary>
    public Tensor Forward(Tensor x, int start = 0)
    {
        int length = x.Shape[1];
        if (start + length > MaxLength)
            throw new ArgumentException($"PositionalEncoding: positions up to {start + length} exceed the maximum length {MaxLength}");
        Tensor positions = Learned is not null
            ? Learned.Rows(start, length)
            : Tensor.Create(new Shape(length, DModel), _table!, start * DModel);   // a view of the table, no copy
        return Ops.Add(x, positions);
    }
}
