using Attend.Layers;
using Attend.Tensors;

namespace Attend.Models;

/// <summary>
/// A BERT-family encoder with Hugging Face's tensor names (BertModel's: embeddings.word_embeddings.weight,
/// embeddings.position_embeddings.weight, embeddings.token_type_embeddings.weight, embeddings.LayerNorm,
/// encoder.layer.N..., pooler.dense; classifier for a classification head), built from the encoder layers of the other
/// families (the pad token's word embedding gets no gradient, as nn.Embedding(padding_idx)): h_0 = LayerNorm(word(x) + position(t) + type(s)) (no sqrt(d) scaling), then post-norm layers with exact
/// GELU, every norm with the config's epsilon. A sentence embedding pools the last hidden states as the config says
/// (mean over the non-padding positions, the [CLS] position, the maximum, or the pooler tanh(W h_[CLS] + b)) and,
/// when asked, scales it to unit length.
/// </summary>
public sealed class BertModel : ISentenceEncoder, ISequenceClassifier
{
    private BertModel(ModelConfig config, ulong seed)
    {
        Config = config.Validate();
        if (config.ModelType != "bert")
            throw new ArgumentException($"BertModel: config has model_type '{config.ModelType}'");
        if (config.Positional != "learned" || config.ScaleEmbeddings || config.NormFirst)
            throw new ArgumentException("BertModel: BERT has learned positions, unscaled embeddings and post-norm layers (positional learned, scale_embeddings false, norm_first false)");
        Parameters = new ParameterStore();
        Dropout = new DropoutSource(config.Dropout, seed ^ 0x5EED);
        WordEmbedding = new Embedding(Parameters, "embeddings.word_embeddings.weight", config.SrcVocabSize, config.DModel, scale: false, ParameterInit.SmallNormal, config.PadId);
        Positions = new PositionalEncoding(Parameters, "embeddings.position_embeddings.weight", config.MaxLen, config.DModel, learned: true);
        TokenTypeEmbedding = new Embedding(Parameters, "embeddings.token_type_embeddings.weight", config.TypeVocabSize, config.DModel, scale: false, ParameterInit.SmallNormal);
        EmbeddingNorm = new LayerNorm(Parameters, "embeddings.LayerNorm", config.DModel, config.LayerNormEps);
        Layers = Enumerable.Range(0, config.EncoderLayers)
            .Select(i => new EncoderLayer(Parameters, EncoderLayerNames.Bert($"encoder.layer.{i}"), config.Shape, Dropout)).ToArray();
        Pooler = config.Pooler ? new Linear(Parameters, "pooler.dense", config.DModel, config.DModel) : null;
        Classifier = config.NumClasses > 0 ? new Linear(Parameters, "classifier", config.DModel, config.NumClasses) : null;
        Parameters.Build(seed);
    }

    /// <summary>Builds a model with freshly initialised parameters from <paramref name="seed"/>.</summary>
    public static BertModel Create(ModelConfig config, ulong seed = 1) => new(config, seed);

    /// <inheritdoc/>
    public ModelConfig Config { get; }

    /// <inheritdoc/>
    public ParameterStore Parameters { get; }

    /// <inheritdoc/>
    public DropoutSource Dropout { get; }

    /// <summary>The word-piece embedding.</summary>
    public Embedding WordEmbedding { get; }

    /// <summary>The learned absolute positions.</summary>
    public PositionalEncoding Positions { get; }

    /// <summary>The token-type (segment) embedding.</summary>
    public Embedding TokenTypeEmbedding { get; }

    /// <summary>The norm of the summed embeddings.</summary>
    public LayerNorm EmbeddingNorm { get; }

    /// <summary>The post-norm encoder layers.</summary>
    public EncoderLayer[] Layers { get; }

    /// <summary>The pooler's dense layer (tanh follows), when the model has one.</summary>
    public Linear? Pooler { get; }

    /// <summary>The classification head, when the model has one (num_classes &gt; 0).</summary>
    public Linear? Classifier { get; }

    /// <summary>
    /// The last hidden states [B, T, dModel] of ids [B, T]; padding [B * T] (true = padding) masks keys; tokenTypes
    /// [B * T] are the segment ids (all 0 when null).
    /// </summary>
    public Tensor Forward(int[] ids, int batch, int length, bool[]? padding, int[]? tokenTypes = null)
    {
        if (length > Config.MaxLen)
            throw new ArgumentException($"sequence of {length} tokens is longer than the model's max_position_embeddings {Config.MaxLen}");
        Tensor x = Positions.Forward(WordEmbedding.Forward(ids, batch, length));                          // [B, T, dModel]
        x = Ops.Add(x, TokenTypeEmbedding.Forward(tokenTypes ?? new int[ids.Length], batch, length));
        x = Dropout.Apply(EmbeddingNorm.Forward(x));
        foreach (EncoderLayer layer in Layers)
            x = layer.Forward(x, padding);
        return x;                                                                                         // [B, T, dModel]
    }

    /// <summary>The pooled sentence representation [B, dModel] as the config's pooling says, before any normalisation.</summary>
    public Tensor Pool(int[] ids, int batch, int length, bool[]? padding, int[]? tokenTypes = null)
    {
        Tensor h = Forward(ids, batch, length, padding, tokenTypes);                                      // [B, T, dModel]
        return Config.Pooling switch
        {
            "max" => Ops.MaxOverPositions(h, padding),
            "cls" => WeightedSum(h, batch, length, ClsWeights(batch, length)),
            "pooler" => Ops.Tanh(Pooler!.Forward(WeightedSum(h, batch, length, ClsWeights(batch, length)))),
            _ => WeightedSum(h, batch, length, MeanWeights(batch, length, padding)),
        };
    }

    /// <summary>
    /// Sentence embeddings [B, dModel]: the pooled representation, scaled to unit length when the config normalizes.
    /// Outside autograd, with right padding, the padding is left out of the computation altogether: the batch's
    /// tokens run end to end as one [N, dModel] matrix and attention stays within each sentence (same result).
    /// </summary>
    public Tensor Embed(int[] ids, int batch, int length, bool[]? padding, int[]? tokenTypes = null)
    {
        Tensor pooled = !Autograd.IsEnabled && Dropout.Active == 0f && Ops.IsRightPadded(padding, batch, length)
            ? PoolUnpadded(ids, batch, length, padding, tokenTypes)
            : Pool(ids, batch, length, padding, tokenTypes);
        return Config.Normalize ? Ops.L2Normalize(pooled) : pooled;
    }

    // The pooled representation [B, dModel] computed on the kept tokens only: h [N, dModel], N = the batch's real tokens.
    private Tensor PoolUnpadded(int[] ids, int batch, int length, bool[]? padding, int[]? tokenTypes)
    {
        if (length > Config.MaxLen)
            throw new ArgumentException($"sequence of {length} tokens is longer than the model's max_position_embeddings {Config.MaxLen}");
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++)
            while (lengths[b] < length && (padding is null || !padding[b * length + lengths[b]]))
                lengths[b]++;
        int n = lengths.Sum(), d = Config.DModel;
        int[] tokens = new int[n], positions = new int[n], types = new int[n];
        for (int b = 0, at = 0; b < batch; b++)
            for (int t = 0; t < lengths[b]; t++, at++)
                (tokens[at], positions[at], types[at]) = (ids[b * length + t], t, tokenTypes?[b * length + t] ?? 0);
        Tensor x = Ops.Add(WordEmbedding.Forward(tokens, 1, n), Ops.Embedding(Positions.Learned!, positions, 1, n));   // [1, N, dModel]
        x = EmbeddingNorm.Forward(Ops.Add(x, TokenTypeEmbedding.Forward(types, 1, n))).Reshape(n, d);               // [N, dModel]
        foreach (EncoderLayer layer in Layers)
            x = layer.ForwardUnpadded(x, lengths);
        float[] pooled = new float[batch * d];                                                                      // [B, dModel]
        ReadOnlySpan<float> h = x.ReadOnlyData;
        for (int b = 0, first = 0; b < batch; first += lengths[b], b++)
        {
            Span<float> row = pooled.AsSpan(b * d, d);
            if (lengths[b] == 0)
                continue;
            if (Config.Pooling is "cls" or "pooler")
            {
                h.Slice(first * d, d).CopyTo(row);
                continue;
            }
            h.Slice(first * d, d).CopyTo(row);
            for (int t = 1; t < lengths[b]; t++)
            {
                ReadOnlySpan<float> ht = h.Slice((first + t) * d, d);
                if (Config.Pooling == "max")
                    System.Numerics.Tensors.TensorPrimitives.Max(row, ht, row);
                else
                    System.Numerics.Tensors.TensorPrimitives.Add(row, ht, row);
            }
            if (Config.Pooling == "mean")
                System.Numerics.Tensors.TensorPrimitives.Divide(row, lengths[b], row);
        }
        Tensor result = Tensor.Wrap(pooled, batch, d);
        return Config.Pooling == "pooler" ? Ops.Tanh(Pooler!.Forward(result)) : result;
    }

    /// <summary>Class logits [B, classes] from the pooled representation; needs a classification head.</summary>
    public Tensor Classify(int[] ids, int batch, int length, bool[]? padding, int[]? tokenTypes = null)
    {
        if (Classifier is null)
            throw new InvalidOperationException("BertModel: this model has no classification head (num_classes 0)");
        return Classifier.Forward(Dropout.Apply(Pool(ids, batch, length, padding, tokenTypes)));
    }

    /// <inheritdoc/>
    public int Classes => Config.NumClasses;

    /// <inheritdoc/>
    Tensor ISentenceEncoder.Embed(int[] ids, int batch, int length, bool[]? padding) => Embed(ids, batch, length, padding);

    /// <inheritdoc/>
    public Tensor Logits(int[] ids, int batch, int length, bool[]? padding) => Classify(ids, batch, length, padding);

    // sum_t w[b, t] h[b, t, :] as one batched product: [B, 1, T] x [B, T, dModel] = [B, 1, dModel].
    private Tensor WeightedSum(Tensor h, int batch, int length, float[] weights) =>
        Ops.MatMul(Tensor.Wrap(weights, batch, 1, length), h).Reshape(batch, Config.DModel);

    private static float[] ClsWeights(int batch, int length)
    {
        float[] w = new float[batch * length];
        for (int b = 0; b < batch; b++)
            w[b * length] = 1f;
        return w;
    }

    private static float[] MeanWeights(int batch, int length, bool[]? padding)
    {
        float[] w = new float[batch * length];
        for (int b = 0; b < batch; b++)
        {
            int count = 0;
            for (int t = 0; t < length; t++)
                count += padding is not null && padding[b * length + t] ? 0 : 1;
            for (int t = 0; t < length; t++)
                w[b * length + t] = padding is not null && padding[b * length + t] ? 0f : 1f / Math.Max(1, count);
        }
        return w;
    }
}
