using System.Diagnostics;
using Attend.Decoding;
using Attend.Kernels;
using Attend.Models;
using Attend.Tokenization;
using Attend.Training;

namespace Attend.Cli.Demo;

/// <summary>The settings of the demo: full by default, a reduced quick mode for tests.</summary>
internal sealed record DemoOptions
{
    public int TrainPairs { get; init; } = 40_000;

    public int TestPairs { get; init; } = 1_000;

    public int Steps { get; init; } = 450;

    public int VocabularySize { get; init; } = 400;

    public ulong Seed { get; init; } = 1;

    public static DemoOptions Quick => new() { TrainPairs = 8_000, TestPairs = 200, Steps = 350 };
}

/// <summary>What the demo measured.</summary>
internal sealed record DemoResult(
    double ExactMatch, int TestPairs, double TrainingSeconds, int Steps, double FinalValidationLoss,
    IReadOnlyList<(string Source, string Expected, string Output)> Samples, Seq2SeqTransformer Model, Tokenizer Tokenizer,
    TrainerState State);

/// <summary>
/// The demo: generates the date-normalisation task, trains a BPE tokenizer and a small encoder-decoder on it,
/// and measures exact-match accuracy on held-out dates with greedy decoding.
/// </summary>
internal static class DemoRun
{
    public static DemoResult Run(DemoOptions options, Action<StepReport>? onStep, Action<string>? onStage, CancellationToken cancel = default)
    {
        onStage?.Invoke("generating dates");
        List<(string Source, string Target)> train = DateCorpus.Pairs(options.TrainPairs, options.Seed);
        var seen = train.Select(p => p.Source).ToHashSet(StringComparer.Ordinal);
        List<(string Source, string Target)> heldOut = DateCorpus.Pairs(options.TestPairs * 2, options.Seed + 7, seen);
        var valid = heldOut.Take(options.TestPairs).ToList();
        var test = heldOut.Skip(options.TestPairs).ToList();

        onStage?.Invoke("training the BPE tokenizer");
        Tokenizer tokenizer = Tokenizer.Train(train.SelectMany(p => new[] { p.Source, p.Target }),
            new BpeTrainerOptions { VocabularySize = options.VocabularySize, MinFrequency = 2 });
        var config = new ModelConfig
        {
            ModelType = "seq2seq", DModel = 128, Heads = 4, DFF = 512, EncoderLayers = 2, DecoderLayers = 2,
            SrcVocabSize = tokenizer.VocabularySize, TgtVocabSize = tokenizer.VocabularySize, MaxLen = 64, Dropout = 0.1f,
            TieEmbeddings = true, PadId = tokenizer.PadId!.Value, BosId = tokenizer.BosId!.Value, EosId = tokenizer.EosId!.Value,
        };
        var model = Seq2SeqTransformer.Create(config, options.Seed);
        var trainIds = Encode(tokenizer, train);
        var validIds = Encode(tokenizer, valid);
        var trainerOptions = new TrainerOptions
        {
            Steps = options.Steps, MaxTokens = 2048, Schedule = "cosine", LearningRate = 2e-3f, MinLearningRate = 1e-4f,
            Warmup = Math.Max(1, options.Steps / 12), ValidateEvery = Math.Max(1, options.Steps / 4), Seed = options.Seed,
            Adam = new AdamOptions { Beta1 = 0.9f, Beta2 = 0.98f, Eps = 1e-9f },
            Step = new StepOptions { LabelSmoothing = 0.1f, ClipNorm = 1f },
        };
        var task = new TranslationTask(model, trainIds, validIds, trainerOptions.MaxTokens, trainerOptions.Seed);
        var trainer = new Trainer(model, task, trainerOptions) { OnStep = onStep };
        onStage?.Invoke($"training a {model.Parameters.Count:N0}-parameter encoder-decoder on {KernelThreads.Count} threads");
        long start = Stopwatch.GetTimestamp();
        trainer.Run(cancel);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        onStage?.Invoke("translating held-out dates");
        int[][] outputs = Greedy.Translate(model, test.Select(p => tokenizer.EncodeToIds(p.Source)).ToList(), 24);
        string[] decoded = outputs.Select(o => tokenizer.Decode(o, skipSpecialTokens: true)).ToArray();
        int exact = test.Zip(decoded).Count(x => x.First.Target == x.Second);
        var samples = test.Zip(decoded).Take(8).Select(x => (x.First.Source, x.First.Target, x.Second)).ToList();
        double finalValid = trainer.State.ValidationLosses.Count > 0 ? trainer.State.ValidationLosses[^1].Loss : double.NaN;
        return new DemoResult((double)exact / test.Count, test.Count, seconds, (int)trainer.State.Step, finalValid, samples, model, tokenizer, trainer.State);
    }

    private static List<(int[] Source, int[] Target)> Encode(Tokenizer tokenizer, List<(string Source, string Target)> pairs) =>
        pairs.Select(p => (tokenizer.EncodeToIds(p.Source), tokenizer.EncodeToIds(p.Target, addSpecialTokens: false))).ToList();
}
