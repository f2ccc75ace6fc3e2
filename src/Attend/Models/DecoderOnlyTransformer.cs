using Attend.Decoding;
using Attend.Layers;
using Attend.Tensors;

namespace Attend.Models;

/// <summary>
/// A GPT-style language model with nanoGPT's tensor names (transformer.wte.weight, transformer.wpe.weight,
/// transformer.h.N..., transformer.ln_f, lm_head.weight): logits = lm_head(ln_f(blocks(wte(x) + wpe(t)))).
/// </summary>
public sealed class DecoderOnlyTransformer : ITransformerModel
{
    private DecoderOnlyTransformer(ModelConfig config, ulong seed)
    {
        Config = config.Validate();
        if (config.ModelType != "decoder_only")
            throw new ArgumentException($"DecoderOnlyTransformer: config has model_type '{config.ModelType}'");
        Parameters = new ParameterStore();
        Dropout = new DropoutSource(config.Dropout, seed ^ 0x5EED);
        TokenEmbedding = new Embedding(Parameters, "transformer.wte.weight", config.TgtVocabSize, config.DModel, config.ScaleEmbeddings, ParameterInit.SmallNormal);
        Positions = new PositionalEncoding(Parameters, "transformer.wpe.weight", config.MaxLen, config.DModel, config.Positional == "learned");
        Blocks = Enumerable.Range(0, config.DecoderLayers)
            .Select(i => new GptBlock(Parameters, $"transformer.h.{i}", config.Shape, Dropout)).ToArray();
        FinalNorm = new LayerNorm(Parameters, "transformer.ln_f", config.DModel, config.LayerNormEps);
        Tensor head = config.TieEmbeddings
            ? Parameters.Alias("lm_head.weight", "transformer.wte.weight")
            : Parameters.Create("lm_head.weight", new Shape(config.TgtVocabSize, config.DModel), ParameterInit.SmallNormal);
        Tensor? headBias = config.OutputBias ? Parameters.Create("lm_head.bias", new Shape(config.TgtVocabSize), ParameterInit.Zeros) : null;
        Head = new Linear(head, headBias);
        Parameters.Build(seed);
    }

    /// <summary>Builds a model with freshly initialised parameters from <paramref name="seed"/>.</summary>
    public static DecoderOnlyTransformer Create(ModelConfig config, ulong seed = 1) => new(config, seed);

    /// <inheritdoc/>
    public ModelConfig Config { get; }

    /// <inheritdoc/>
    public ParameterStore Parameters { get; }

    /// <inheritdoc/>
    public DropoutSource Dropout { get; }

    /// <summary>The token embedding (wte).</summary>
    public Embedding TokenEmbedding { get; }

    /// <summary>The positions (wpe when learned).</summary>
    public PositionalEncoding Positions { get; }

    /// <summary>The blocks.</summary>
    public GptBlock[] Blocks { get; }

    /// <summary>The final norm (ln_f).</summary>
    public LayerNorm FinalNorm { get; }

    /// <summary>The projection to vocabulary logits (lm_head).</summary>
    public Linear Head { get; }

    /// <summary>
    /// Token ids [B, T] to logits [B, T, V], each position seeing only itself and the past. With a cache, ids hold only
    /// the new positions, which start at the cache's length.
    /// </summary>
    public Tensor Forward(int[] ids, int batch, int length, bool[]? padding = null, KvCache? cache = null)
    {
        int start = cache?.Length ?? 0;
        if (start + length > Config.MaxLen)
            throw new ArgumentException($"sequence of {start + length} tokens is longer than the model's max_len {Config.MaxLen}");
        Tensor x = Dropout.Apply(Positions.Forward(TokenEmbedding.Forward(ids, batch, length), start));   // [B, T, dModel]
        for (int i = 0; i < Blocks.Length; i++)
            x = Blocks[i].Forward(x, padding, cache?.Self[i]);
        return Head.Forward(FinalNorm.Forward(x));                                                         // [B, T, V]
    }

    /// <summary>
    /// One decoding step of <paramref name="tokens"/>.Length sequences that each keep their own cache, of any lengths
    /// (continuous batching: sequences join and leave a running batch between steps): token i follows what
    /// <paramref name="caches"/>[i] holds and sits at position caches[i].Length. Returns logits [N, 1, V]. Inference only.
    /// </summary>
    public Tensor Step(int[] tokens, IReadOnlyList<KvCache> caches)
    {
        int n = tokens.Length;
        if (caches.Count != n || n == 0)
            throw new ArgumentException($"Step: {n} tokens for {caches.Count} caches");
        int[] positions = new int[n];
        for (int i = 0; i < n; i++)
        {
            positions[i] = caches[i].Length;
            if (positions[i] + 1 > Config.MaxLen)
                throw new ArgumentException($"sequence of {positions[i] + 1} tokens is longer than the model's max_len {Config.MaxLen}");
            if (caches[i].Self.Length != Blocks.Length)
                throw new ArgumentException($"Step: cache {i} has {caches[i].Self.Length} layers, the model {Blocks.Length}");
        }
        Tensor x = Positions.Forward(TokenEmbedding.Forward(tokens, n, 1), positions);   // [N, 1, dModel]
        var layer = new AttentionCache[n];
        for (int l = 0; l < Blocks.Length; l++)
        {
            for (int i = 0; i < n; i++)
                layer[i] = caches[i].Self[l];
            x = Blocks[l].ForwardStep(x, layer);
        }
        return Head.Forward(FinalNorm.Forward(x));                                        // [N, 1, V]
    }
}
