using Attend.Models;

namespace Attend.Cli.Bench;

/// <summary>
/// One benchmark configuration: the model, the batch shape and the optimizer settings, matched one for one by
/// bench/pytorch/train_bench.py.
/// </summary>
internal sealed record BenchConfig(
    string Name, ModelConfig Model, int Batch, int SourceLength, int TargetLength,
    float LearningRate, float Beta2, float Eps, float WeightDecay, bool Decoupled, float ClipNorm, float LabelSmoothing)
{
    /// <summary>True for the decoder-only (language model) configurations.</summary>
    public bool IsLanguageModel => Model.ModelType == "decoder_only";

    /// <summary>The configuration names <c>attend bench train</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["s2s-tiny", "s2s-small", "s2s-base", "lm-nanogpt-cpu", "lm-long"];

    /// <summary>The configuration called <paramref name="name"/>, or null.</summary>
    public static BenchConfig? Find(string name) => name switch
    {
        "s2s-tiny" => Translation(name, 128, 4, 512, 2, 64),
        "s2s-small" => Translation(name, 256, 8, 1024, 3, 64),
        "s2s-base" => Translation(name, 512, 8, 2048, 6, 32),
        "lm-nanogpt-cpu" => LanguageModel(name, 128, 4, 4, 65, 64, 12, 0f),
        // long context: at T = 1024 attention, not the projections, decides memory
        "lm-long" => LanguageModel(name, 384, 6, 6, 8000, 1024, 4, 0.1f),
        _ => null,
    };

    // nanoGPT's GPT (pre-norm, GELU, learned positions, tied output without bias) and its optimizer: AdamW lr 1e-3,
    // betas (0.9, 0.99), weight decay 0.1, clipping at 1.0, no label smoothing.
    private static BenchConfig LanguageModel(string name, int d, int heads, int layers, int vocab, int block, int batch, float dropout) =>
        new(name,
            new ModelConfig
            {
                ModelType = "decoder_only", DModel = d, Heads = heads, DFF = 4 * d, EncoderLayers = 0, DecoderLayers = layers,
                SrcVocabSize = vocab, TgtVocabSize = vocab, MaxLen = block, Dropout = dropout, Activation = "gelu", NormFirst = true,
                Positional = "learned", TieEmbeddings = true, ScaleEmbeddings = false, OutputBias = false,
            },
            Batch: batch, SourceLength: 0, TargetLength: block,
            LearningRate: 1e-3f, Beta2: 0.99f, Eps: 1e-8f, WeightDecay: 0.1f, Decoupled: true, ClipNorm: 1f, LabelSmoothing: 0f);

    // The PyTorch translation tutorial's setup: Adam(lr 1e-4, betas (0.9, 0.98), eps 1e-9), no clipping; the
    // issue asks for label smoothing 0.1 and dropout 0.1.
    private static BenchConfig Translation(string name, int d, int heads, int dff, int layers, int batch) =>
        new(name,
            new ModelConfig
            {
                ModelType = "seq2seq", DModel = d, Heads = heads, DFF = dff, EncoderLayers = layers, DecoderLayers = layers,
                SrcVocabSize = 8000, TgtVocabSize = 8000, MaxLen = 128, Dropout = 0.1f,
            },
            batch, SourceLength: 32, TargetLength: 32,
            LearningRate: 1e-4f, Beta2: 0.98f, Eps: 1e-9f, WeightDecay: 0f, Decoupled: false, ClipNorm: 0f, LabelSmoothing: 0.1f);
}
