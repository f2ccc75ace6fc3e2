using Attend.Models;
using Attend.Tensors;
using Attend.Training;

namespace Attend.Tests.Training;

/// <summary>Small sequence tasks that a tiny encoder-decoder must learn exactly: copy and reverse.</summary>
internal static class ToyTasks
{
    public const int Pad = 0, Bos = 1, Eos = 2, Symbols = 8;

    public static ModelConfig TinyConfig => new()
    {
        ModelType = "seq2seq", DModel = 32, Heads = 2, DFF = 64, EncoderLayers = 1, DecoderLayers = 1,
        SrcVocabSize = 3 + Symbols, TgtVocabSize = 3 + Symbols, MaxLen = 16, Dropout = 0f,
        PadId = Pad, BosId = Bos, EosId = Eos,
    };

    public static List<(int[] Source, int[] Target)> Pairs(int count, ulong seed, bool reverse)
    {
        var rng = new Rng(seed);
        var pairs = new List<(int[], int[])>();
        for (int i = 0; i < count; i++)
        {
            int[] x = Enumerable.Range(0, 3 + rng.NextInt(4)).Select(_ => 3 + rng.NextInt(Symbols)).ToArray();
            pairs.Add((x, reverse ? x.Reverse().ToArray() : x));
        }
        return pairs;
    }

    /// <summary>Trains a fresh model for <paramref name="steps"/> steps of 32 pairs.</summary>
    public static Seq2SeqTransformer Train(bool reverse, int steps, ulong seed = 1)
    {
        var model = Seq2SeqTransformer.Create(TinyConfig, seed);
        var adam = new Adam(model.Parameters, new AdamOptions { Beta2 = 0.98f, Eps = 1e-9f });
        var schedule = new CosineSchedule(3e-3f, 3e-4f, 20, steps);
        for (int step = 1; step <= steps; step++)
        {
            var batch = TranslationBatch.Create(Pairs(32, seed * 1000 + (ulong)step, reverse), Pad, Bos, Eos);
            TrainingStep.Translation(model, batch, adam, schedule.At(step), new StepOptions { LabelSmoothing = 0f });
        }
        return model;
    }
}
