using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// Multi-head attention: Q, K, V from learned projections (one packed projection W_in [3 dModel, dModel], as PyTorch's
/// in_proj_weight and nanoGPT's c_attn), H heads of dK = dModel / H, Z = softmax(Q K^T / sqrt(dK) + M) V per head,
/// heads concatenated and projected by W_out.
/// </summary>
public sealed class MultiHeadAttention
{
    private readonly DropoutSource _dropout;

    /// <summary>Declares W_in "{inWeight}" [3 dModel, dModel], b_in "{inBias}", and W_out, b_out as "{outName}.weight/bias".</summary>
    public MultiHeadAttention(ParameterStore store, string inWeight, string inBias, string outName, int dModel, int heads, DropoutSource dropout)
        : this(store, AttentionNames.Packed(inWeight, inBias, outName), dModel, heads, dropout)
    {
    }

    /// <summary>
    /// Declares the parameters under <paramref name="names"/>: a packed W_in, or Q, K and V weights stored apart but
    /// next to each other, so that W_in is still one [3 dModel, dModel] tensor over them.
    /// </summary>
    public MultiHeadAttention(ParameterStore store, AttentionNames names, int dModel, int heads, DropoutSource dropout)
    {
        if (heads <= 0 || dModel % heads != 0)
            throw new ArgumentException($"MultiHeadAttention: dModel {dModel} is not divisible by {heads} heads");
        if (names.InWeights.Count is not (1 or 3) || names.InBiases.Count != names.InWeights.Count)
            throw new ArgumentException("MultiHeadAttention: the input projection is one packed weight or three (Q, K, V), with as many biases");
        DModel = dModel;
        Heads = heads;
        bool packed = names.InWeights.Count == 1;
        InWeight = packed
            ? store.Create(names.InWeights[0], new Shape(3 * dModel, dModel), ParameterInit.XavierUniform)
            : store.CreatePacked(names.InWeights, new Shape(dModel, dModel), ParameterInit.XavierUniform);
        InBias = packed
            ? store.Create(names.InBiases[0], new Shape(3 * dModel), ParameterInit.Zeros)
            : store.CreatePacked(names.InBiases, new Shape(dModel), ParameterInit.Zeros);
        Out = new Linear(store, names.Out, dModel, dModel);
        _dropout = dropout;
    }

    /// <summary>The model width.</summary>
    public int DModel { get; }

    /// <summary>The number of heads H.</summary>
    public int Heads { get; }

    /// <summary>W_in [3 dModel, dModel]: rows [0, d) project Q, [d, 2d) K, [2d, 3d) V.</summary>
    public Tensor InWeight { get; }

    /// <summary>b_in [3 dModel].</summary>
    public Tensor InBias { get; }

    /// <summary>The output projection.</summary>
    public Linear Out { get; }

    /// <summary>When true, each forward pass keeps its attention weights in <see cref="LastWeights"/>.</summary>
    public bool CaptureWeights { get; set; }

    /// <summary>The attention weights of the last forward pass [B, H, Tq, Tk], when captured.</summary>
    public float[]? LastWeights { get; private set; }

    /// <summary>
    /// Bidirectional self-attention for inference over sequences laid end to end without padding: x [N, dModel], the
    /// sequence s holding rows [sum of lengths before s, + lengths[s]); returns [N, dModel]. Outside autograd only.
    /// </summary>
    public Tensor ForwardUnpadded(Tensor x, int[] lengths)
    {
        Tensor qkv = Ops.Linear(x, InWeight, InBias);                        // [N, 3 dModel]
        return Out.Forward(Ops.PackedSelfAttention(qkv, Heads, lengths));    // [N, dModel]
    }

    /// <summary>
    /// Self-attention when <paramref name="memory"/> is null (Q, K, V from x), else cross-attention (Q from x, K and V from memory).
    /// x [B, Tq, dModel]; memory [B, Tk, dModel]; keyPadding [B * Tk] (true = padding); returns [B, Tq, dModel].
    /// With a cache, self-attention appends the new keys and values, and cross-attention computes them once.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor? memory, bool[]? keyPadding, bool causal, AttentionCache? cache = null)
    {
        int d = DModel, h = Heads;
        Tensor q, k, v;
        int keyCount;
        if (memory is null && cache is null && !causal && !CaptureWeights && !Autograd.IsEnabled && _dropout.Active == 0f
            && x.Shape.Rank == 3 && Ops.IsRightPadded(keyPadding, x.Shape[0], x.Shape[1]))
        {
            // inference: attention reads Q, K, V in place from the packed projection and writes Z with its heads merged
            Tensor packed = Ops.Linear(x, InWeight, InBias);                  // [B, T, 3 dModel]
            return Out.Forward(Ops.PackedSelfAttention(packed, h, keyPadding)); // [B, T, dModel]
        }
        if (memory is null)
        {
            Tensor qkv = Ops.Linear(x, InWeight, InBias);        // [B, T, 3 dModel]
            q = Ops.SplitHeads(qkv, h, 0, 3);                   // [B, H, T, dK]
            k = Ops.SplitHeads(qkv, h, 1, 3);
            v = Ops.SplitHeads(qkv, h, 2, 3);
            if (cache is not null)
            {
                cache.Append(k, v);
                (k, v) = (cache.KeyStorage, cache.ValueStorage);   // [B, H, capacity, dK], the first t valid
            }
            keyCount = cache?.Length ?? k.Shape[2];
        }
        else
        {
            q = Ops.SplitHeads(Ops.Linear(x, InWeight.Rows(0, d), InBias.Rows(0, d)), h);   // [B, H, Tq, dK]
            if (cache is { Length: > 0 })
            {
                (k, v) = (cache.KeyStorage, cache.ValueStorage);   // [B, H, Tk, dK]
            }
            else
            {
                Tensor kv = Ops.Linear(memory, InWeight.Rows(d, 2 * d), InBias.Rows(d, 2 * d));   // [B, Tk, 2 dModel]
                k = Ops.SplitHeads(kv, h, 0, 2);                 // [B, H, Tk, dK]
                v = Ops.SplitHeads(kv, h, 1, 2);
                cache?.Store(k, v);
            }
            keyCount = k.Shape[2];
        }
        float[]? weights = CaptureWeights ? new float[q.Shape[0] * h * q.Shape[2] * keyCount] : null;
        Tensor z = Ops.ScaledDotProductAttention(q, k, v, keyCount, keyPadding, causal, _dropout.Active, _dropout.Masks, weights);   // [B, H, Tq, dK]
        if (CaptureWeights)
            LastWeights = weights;
        return Out.Forward(Ops.MergeHeads(z));                   // [B, Tq, dModel]
    }

    /// <summary>
    /// One causal self-attention step of sequences that each keep their own cache: x [N, 1, dModel] holds one new
    /// position per sequence, sequence i appends its key and value to <paramref name="caches"/>[i] and attends to
    /// everything that cache holds, whatever the other sequences' lengths. The projections run on the whole batch at
    /// once; only the attention itself, which reads each sequence's own cache, runs per sequence.
    /// </summary>
    public Tensor ForwardStep(Tensor x, IReadOnlyList<AttentionCache> caches)
    {
        int n = x.Shape[0], h = Heads;
        if (x.Shape.Rank != 3 || x.Shape[1] != 1 || caches.Count != n)
            throw new ArgumentException($"MultiHeadAttention.ForwardStep: x {x.Shape} needs one position per each of {caches.Count} caches");
        Tensor qkv = Ops.Linear(x, InWeight, InBias);            // [N, 1, 3 dModel]
        Tensor q = Ops.SplitHeads(qkv, h, 0, 3);                 // [N, H, 1, dK]
        Tensor k = Ops.SplitHeads(qkv, h, 1, 3);
        Tensor v = Ops.SplitHeads(qkv, h, 2, 3);
        var z = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            AttentionCache cache = caches[i];
            cache.Append(k.Rows(i, 1), v.Rows(i, 1));
            z[i] = Ops.ScaledDotProductAttention(q.Rows(i, 1), cache.KeyStorage, cache.ValueStorage, cache.Length);   // [1, H, 1, dK]
        }
        return Out.Forward(Ops.MergeHeads(n == 1 ? z[0] : Ops.Concat(z, 0)));   // [N, 1, dModel]
    }
}
