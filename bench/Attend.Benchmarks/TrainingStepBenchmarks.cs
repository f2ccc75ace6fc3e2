using Attend.Models;
using Attend.Training;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks;

/// <summary>
/// Whole training steps (forward, cross-entropy, backward, Adam) of <c>attend bench train</c>'s s2s-tiny and
/// lm-nanogpt-cpu configurations on fixed random batches; the memory diagnoser's Allocated column is the managed
/// allocation of a warm step, which the tensor engine keeps at zero.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Func<float> _translation = null!, _languageModel = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1234);
        int[] Ids(int count, int low, int high) => Enumerable.Range(0, count).Select(_ => rng.Next(low, high)).ToArray();

        var s2s = Seq2SeqTransformer.Create(new ModelConfig
        {
            ModelType = "seq2seq", DModel = 128, Heads = 4, DFF = 512, EncoderLayers = 2, DecoderLayers = 2,
            SrcVocabSize = 8000, TgtVocabSize = 8000, MaxLen = 128, Dropout = 0.1f,
        });
        var s2sAdam = new Adam(s2s.Parameters, new AdamOptions { Beta1 = 0.9f, Beta2 = 0.98f, Eps = 1e-9f });
        var pairs = Enumerable.Range(0, 64).Select(_ => (Ids(32, 3, 8000), Ids(31, 3, 8000))).ToList();
        var batch = TranslationBatch.Create(pairs, s2s.Config.PadId, s2s.Config.BosId, s2s.Config.EosId);
        var s2sOptions = new StepOptions { LabelSmoothing = 0.1f, ClipNorm = 0f };
        _translation = () => TrainingStep.Translation(s2s, batch, s2sAdam, 1e-4f, s2sOptions);

        var lm = DecoderOnlyTransformer.Create(new ModelConfig
        {
            ModelType = "decoder_only", DModel = 128, Heads = 4, DFF = 512, EncoderLayers = 0, DecoderLayers = 4,
            SrcVocabSize = 65, TgtVocabSize = 65, MaxLen = 64, Dropout = 0f, Activation = "gelu", NormFirst = true,
            Positional = "learned", TieEmbeddings = true, ScaleEmbeddings = false, OutputBias = false,
        });
        var lmAdam = new Adam(lm.Parameters, new AdamOptions { Beta1 = 0.9f, Beta2 = 0.99f, Eps = 1e-8f, WeightDecay = 0.1f, Decoupled = true });
        int[] inputs = Ids(12 * 64, 0, 65), targets = Ids(12 * 64, 0, 65);
        var lmOptions = new StepOptions { LabelSmoothing = 0f, ClipNorm = 1f };
        _languageModel = () => TrainingStep.LanguageModel(lm, inputs, targets, 12, 64, lmAdam, 1e-3f, lmOptions);
    }

    /// <summary>s2s-tiny: d 128, 4 heads, 2 + 2 layers, vocabulary 8000, 64 pairs of 32 tokens.</summary>
    [Benchmark]
    public float TranslationStep() => _translation();

    /// <summary>lm-nanogpt-cpu: d 128, 4 heads, 4 pre-norm GELU blocks, 65 characters, 12 blocks of 64.</summary>
    [Benchmark]
    public float LanguageModelStep() => _languageModel();
}
