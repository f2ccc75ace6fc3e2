using Attend.Models;
using Attend.Tokenization;

namespace Attend.Tests.Inference;

/// <summary>Small untrained models and a byte-level tokenizer (256 bytes and 4 special tokens) for inference tests.</summary>
internal static class TinyModels
{
    public static Tokenizer Bytes { get; } = Tokenizer.Train(["the quick brown fox jumps over the lazy dog"],
        new BpeTrainerOptions { VocabularySize = 260, MaxDegreeOfParallelism = 1 });

    public static DecoderOnlyTransformer LanguageModel(int maxLen = 24, ulong seed = 3) => DecoderOnlyTransformer.Create(new ModelConfig
    {
        ModelType = "decoder_only", DModel = 32, Heads = 2, DFF = 64, DecoderLayers = 2, TgtVocabSize = 260, SrcVocabSize = 260,
        MaxLen = maxLen, Dropout = 0f, Positional = "learned", NormFirst = true, Activation = "gelu",
    }, seed);

    public static EncoderClassifier Encoder(ulong seed = 5) => EncoderClassifier.Create(new ModelConfig
    {
        ModelType = "encoder_classifier", DModel = 32, Heads = 2, DFF = 64, EncoderLayers = 2, SrcVocabSize = 260, TgtVocabSize = 260,
        MaxLen = 32, Dropout = 0f, NumClasses = 3,
    }, seed);
}
