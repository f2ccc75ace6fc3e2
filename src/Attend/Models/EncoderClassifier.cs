using Attend.Layers;
using Attend.Tensors;

namespace Attend.Models;

/// <summary>
/// An encoder with mean pooling over the non-padding positions and a linear head: classification, and pooled
/// sentence embeddings for feature extraction. Names: tok_emb.embedding.weight, encoder.layers.N..., encoder.norm, classifier.
/// </summary>
public sealed class EncoderClassifier : ISentenceEncoder, ISequenceClassifier
{
    private EncoderClassifier(ModelConfig config, ulong seed)
    {
        Config = config.Validate();
        if (config.ModelType != "encoder_classifier")
            throw new ArgumentException($"EncoderClassifier: config has model_type '{config.ModelType}'");
        Parameters = new ParameterStore();
        Dropout = new DropoutSource(config.Dropout, seed ^ 0x5EED);
        TokenEmbedding = new Embedding(Parameters, "tok_emb.embedding.weight", config.SrcVocabSize, config.DModel, config.ScaleEmbeddings);
        Positions = new PositionalEncoding(Parameters, "positional_encoding.weight", config.MaxLen, config.DModel, config.Positional == "learned");
        Encoder = Enumerable.Range(0, config.EncoderLayers)
            .Select(i => new EncoderLayer(Parameters, $"encoder.layers.{i}", config.Shape, Dropout)).ToArray();
        FinalNorm = new LayerNorm(Parameters, "encoder.norm", config.DModel, config.LayerNormEps);
        Classifier = new Linear(Parameters, "classifier", config.DModel, config.NumClasses);
        Parameters.Build(seed);
    }

    /// <summary>Builds a model with freshly initialised parameters from <paramref name="seed"/>.</summary>
    public static EncoderClassifier Create(ModelConfig config, ulong seed = 1) => new(config, seed);

    /// <inheritdoc/>
    public ModelConfig Config { get; }

    /// <inheritdoc/>
    public ParameterStore Parameters { get; }

    /// <inheritdoc/>
    public DropoutSource Dropout { get; }

    /// <summary>The token embedding.</summary>
    public Embedding TokenEmbedding { get; }

    /// <summary>The positions.</summary>
    public PositionalEncoding Positions { get; }

    /// <summary>The encoder stack.</summary>
    public EncoderLayer[] Encoder { get; }

    /// <summary>The final norm.</summary>
    public LayerNorm FinalNorm { get; }

    /// <summary>The class head.</summary>
    public Linear Classifier { get; }

    /// <summary>Sentence embeddings [B, dModel]: the mean of the encoder's outputs over the non-padding positions.</summary>
    public Tensor Embed(int[] ids, int batch, int length, bool[]? padding)
    {
        if (length > Config.MaxLen)
            throw new ArgumentException($"sequence of {length} tokens is longer than the model's max_len {Config.MaxLen}");
        Tensor x = Dropout.Apply(Positions.Forward(TokenEmbedding.Forward(ids, batch, length)));   // [B, T, dModel]
        foreach (EncoderLayer layer in Encoder)
            x = layer.Forward(x, padding);
        x = FinalNorm.Forward(x);
        float[] pool = new float[batch * length];                                                   // [B, 1, T]
        for (int b = 0; b < batch; b++)
        {
            int count = 0;
            for (int t = 0; t < length; t++)
                count += padding is not null && padding[b * length + t] ? 0 : 1;
            for (int t = 0; t < length; t++)
                pool[b * length + t] = padding is not null && padding[b * length + t] ? 0f : 1f / Math.Max(1, count);
        }
        return Ops.MatMul(Tensor.Wrap(pool, batch, 1, length), x).Reshape(batch, Config.DModel);   // [B, dModel]
    }

    /// <summary>Class logits [B, classes].</summary>
    public Tensor Forward(int[] ids, int batch, int length, bool[]? padding) => Classifier.Forward(Embed(ids, batch, length, padding));

    /// <inheritdoc/>
    public int Classes => Config.NumClasses;

    /// <inheritdoc/>
    public Tensor Logits(int[] ids, int batch, int length, bool[]? padding) => Forward(ids, batch, length, padding);
}
