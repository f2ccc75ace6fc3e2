using Attend.Decoding;
using Attend.Layers;
using Attend.Tensors;

namespace Attend.Models;

/// <summary>
/// The encoder-decoder Transformer for translation, with the tensor names of PyTorch's translation tutorial
/// (src_tok_emb.embedding.weight, tgt_tok_emb.embedding.weight, transformer.encoder.layers.N..., transformer.decoder.norm,
/// generator.weight/bias). logits = generator(decoder(embed(target), encoder(embed(source)))).
/// </summary>
public sealed class Seq2SeqTransformer : ITransformerModel
{
    private Seq2SeqTransformer(ModelConfig config, ulong seed)
    {
        Config = config.Validate();
        if (config.ModelType != "seq2seq")
            throw new ArgumentException($"Seq2SeqTransformer: config has model_type '{config.ModelType}'");
        Parameters = new ParameterStore();
        Dropout = new DropoutSource(config.Dropout, seed ^ 0x5EED);
        ModelShape shape = config.Shape;
        bool shareSource = config.TieEmbeddings && config.SrcVocabSize == config.TgtVocabSize;
        SourceEmbedding = new Embedding(Parameters, "src_tok_emb.embedding.weight", config.SrcVocabSize, config.DModel, config.ScaleEmbeddings);
        TargetEmbedding = shareSource
            ? new Embedding(Parameters.Alias("tgt_tok_emb.embedding.weight", "src_tok_emb.embedding.weight"), config.ScaleEmbeddings)
            : new Embedding(Parameters, "tgt_tok_emb.embedding.weight", config.TgtVocabSize, config.DModel, config.ScaleEmbeddings);
        Positions = new PositionalEncoding(Parameters, "positional_encoding.weight", config.MaxLen, config.DModel, config.Positional == "learned");
        Encoder = Enumerable.Range(0, config.EncoderLayers)
            .Select(i => new EncoderLayer(Parameters, $"transformer.encoder.layers.{i}", shape, Dropout)).ToArray();
        EncoderNorm = new LayerNorm(Parameters, "transformer.encoder.norm", config.DModel, config.LayerNormEps);
        Decoder = Enumerable.Range(0, config.DecoderLayers)
            .Select(i => new DecoderLayer(Parameters, $"transformer.decoder.layers.{i}", shape, Dropout)).ToArray();
        DecoderNorm = new LayerNorm(Parameters, "transformer.decoder.norm", config.DModel, config.LayerNormEps);
        Tensor generatorWeight = config.TieEmbeddings
            ? Parameters.Alias("generator.weight", shareSource ? "src_tok_emb.embedding.weight" : "tgt_tok_emb.embedding.weight")
            : Parameters.Create("generator.weight", new Shape(config.TgtVocabSize, config.DModel), ParameterInit.XavierUniform);
        Tensor? generatorBias = config.OutputBias ? Parameters.Create("generator.bias", new Shape(config.TgtVocabSize), ParameterInit.Zeros) : null;
        Generator = new Linear(generatorWeight, generatorBias);
        Parameters.Build(seed);
    }

    /// <summary>Builds a model with freshly initialised parameters from <paramref name="seed"/>.</summary>
    public static Seq2SeqTransformer Create(ModelConfig config, ulong seed = 1) => new(config, seed);

    /// <inheritdoc/>
    public ModelConfig Config { get; }

    /// <inheritdoc/>
    public ParameterStore Parameters { get; }

    /// <inheritdoc/>
    public DropoutSource Dropout { get; }

    /// <summary>The source token embedding.</summary>
    public Embedding SourceEmbedding { get; }

    /// <summary>The target token embedding.</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>The positional encoding shared by both sides.</summary>
    public PositionalEncoding Positions { get; }

    /// <summary>The encoder stack.</summary>
    public EncoderLayer[] Encoder { get; }

    /// <summary>The encoder's final norm.</summary>
    public LayerNorm EncoderNorm { get; }

    /// <summary>The decoder stack.</summary>
    public DecoderLayer[] Decoder { get; }

    /// <summary>The decoder's final norm.</summary>
    public LayerNorm DecoderNorm { get; }

    /// <summary>The projection to target-vocabulary logits.</summary>
    public Linear Generator { get; }

    /// <summary>Source ids [B, S] to the encoder's output ("memory") [B, S, dModel]; padding [B * S] marks pad tokens.</summary>
    public Tensor Encode(int[] source, int batch, int length, bool[]? padding)
    {
        CheckLength(length, "source");
        Tensor x = Dropout.Apply(Positions.Forward(SourceEmbedding.Forward(source, batch, length)));   // [B, S, dModel]
        foreach (EncoderLayer layer in Encoder)
            x = layer.Forward(x, padding);
        return EncoderNorm.Forward(x);
    }

    /// <summary>
    /// Target ids [B, T] and memory to logits [B, T, V]. With a cache, target holds only the new positions, which
    /// start at <paramref name="cache"/>.Length.
    /// </summary>
    public Tensor Decode(int[] target, int batch, int length, Tensor memory, bool[]? targetPadding, bool[]? memoryPadding, KvCache? cache = null)
    {
        int start = cache?.Length ?? 0;
        CheckLength(start + length, "target");
        Tensor y = Dropout.Apply(Positions.Forward(TargetEmbedding.Forward(target, batch, length), start));   // [B, T, dModel]
        for (int i = 0; i < Decoder.Length; i++)
            y = Decoder[i].Forward(y, memory, targetPadding, memoryPadding, cache?.Self[i], cache?.Cross[i]);
        return Generator.Forward(DecoderNorm.Forward(y));                                                    // [B, T, V]
    }

    /// <summary>Teacher-forced logits [B, T, V] for a batch of source and target ids.</summary>
    public Tensor Forward(int[] source, int sourceLength, bool[]? sourcePadding, int[] target, int targetLength, bool[]? targetPadding, int batch)
    {
        Tensor memory = Encode(source, batch, sourceLength, sourcePadding);
        return Decode(target, batch, targetLength, memory, targetPadding, sourcePadding);
    }

    private void CheckLength(int length, string what)
    {
        if (length > Config.MaxLen)
            throw new ArgumentException($"{what} sequence of {length} tokens is longer than the model's max_len {Config.MaxLen}");
    }
}
