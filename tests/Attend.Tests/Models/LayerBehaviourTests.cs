using Attend.Decoding;
using Attend.Layers;
using Attend.Models;
using Attend.Tensors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Attend.Tests.Models;

/// <summary>
/// The rules every model must keep whatever its weights: masks hide padding and the future, positions follow the
/// paper's formula, over-long input is refused clearly, and cached decoding equals the full pass.
/// </summary>
public class LayerBehaviourTests
{
    private const int Batch = 2;

    private static readonly ModelConfig Seq2SeqConfig = new()
    {
        ModelType = "seq2seq", DModel = 16, Heads = 2, DFF = 32, EncoderLayers = 2, DecoderLayers = 2,
        SrcVocabSize = 11, TgtVocabSize = 13, MaxLen = 8, Dropout = 0f,
    };

    private static readonly ModelConfig GptConfig = new()
    {
        ModelType = "decoder_only", DModel = 16, Heads = 2, DFF = 32, EncoderLayers = 0, DecoderLayers = 2,
        SrcVocabSize = 13, TgtVocabSize = 13, MaxLen = 8, Dropout = 0f, Activation = "gelu", NormFirst = true,
        Positional = "learned", TieEmbeddings = true, ScaleEmbeddings = false, OutputBias = false,
    };

    private static readonly ModelConfig ClassifierConfig = new()
    {
        ModelType = "encoder_classifier", DModel = 16, Heads = 2, DFF = 32, EncoderLayers = 2, DecoderLayers = 0,
        SrcVocabSize = 11, TgtVocabSize = 11, MaxLen = 8, Dropout = 0f, NumClasses = 3,
    };

    private static readonly Seq2SeqTransformer Translator = Randomised(Seq2SeqTransformer.Create(Seq2SeqConfig), 1);
    private static readonly Seq2SeqTransformer PreNormTranslator = Randomised(Seq2SeqTransformer.Create(Seq2SeqConfig with { NormFirst = true, Activation = "gelu" }), 2);
    private static readonly DecoderOnlyTransformer Gpt = Randomised(DecoderOnlyTransformer.Create(GptConfig), 3);
    private static readonly EncoderClassifier Classifier = Randomised(EncoderClassifier.Create(ClassifierConfig), 4);

    // Source [2, 6]: the second sentence has 3 padding positions; the pad id is 0.
    private static readonly int[] Source = [5, 7, 3, 9, 4, 2, 6, 8, 2, 0, 0, 0];
    private static readonly bool[] SourcePadding = Source.Select(id => id == 0).ToArray();
    private static readonly int[] Target = [1, 4, 12, 7, 3, 2, 1, 9, 5, 2, 11, 6];

    [Fact]
    public void EncoderSelfAttention_PaddedKeys_GetZeroWeight()
    {
        float[][] weights = Captured(Translator.Encoder.Select(l => l.SelfAttention), () => Translator.Encode(Source, Batch, 6, SourcePadding));
        foreach (float[] w in weights)
            AssertAttentionRows(w, tq: 6, tk: 6, hidden: (b, i, j) => SourcePadding[b * 6 + j]);
    }

    [Fact]
    public void CrossAttention_PaddedSourcePositions_GetZeroWeight()
    {
        float[][] weights = Captured(Translator.Decoder.Select(l => l.CrossAttention),
            () => Translator.Forward(Source, 6, SourcePadding, Target, 6, null, Batch));
        foreach (float[] w in weights)
            AssertAttentionRows(w, tq: 6, tk: 6, hidden: (b, i, j) => SourcePadding[b * 6 + j]);
    }

    [Fact]
    public void DecoderSelfAttention_FuturePositions_GetZeroWeight()
    {
        float[][] weights = Captured(Translator.Decoder.Select(l => l.SelfAttention),
            () => Translator.Forward(Source, 6, SourcePadding, Target, 6, null, Batch));
        foreach (float[] w in weights)
            AssertAttentionRows(w, tq: 6, tk: 6, hidden: (b, i, j) => j > i);
    }

    [Property(MaxTest = 25)]
    public Property DecoderOnly_ChangingLaterTokens_LeavesEarlierLogitsUnchanged() =>
        Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), seed =>
        {
            const int length = 8;
            var rng = new Random(seed);
            int[] ids = RandomIds(rng, Batch * length, 13);
            int t = rng.Next(length - 1);
            int[] changed = WithChangedPositions(ids, length, t + 1, rng, 13);
            float[] before, after;
            using (Autograd.NoGrad())
            {
                before = Gpt.Forward(ids, Batch, length).ToArray();
                after = Gpt.Forward(changed, Batch, length).ToArray();
            }
            return SamePrefix(before, after, length, t + 1, 13);
        });

    [Property(MaxTest = 25)]
    public Property Seq2SeqDecoder_ChangingLaterTargetTokens_LeavesEarlierLogitsUnchanged() =>
        Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), seed =>
        {
            const int length = 6;
            var rng = new Random(seed);
            int[] target = RandomIds(rng, Batch * length, 13);
            int t = rng.Next(length - 1);
            int[] changed = WithChangedPositions(target, length, t + 1, rng, 13);
            float[] before, after;
            using (Autograd.NoGrad())
            {
                before = Translator.Forward(Source, 6, SourcePadding, target, length, null, Batch).ToArray();
                after = Translator.Forward(Source, 6, SourcePadding, changed, length, null, Batch).ToArray();
            }
            return SamePrefix(before, after, length, t + 1, 13);
        });

    [Fact]
    public void Sinusoids_MatchTheFormula()
    {
        foreach (int d in new[] { 2, 4, 16, 64, 512 })
        {
            float[] pe = PositionalEncoding.Sinusoids(50, d);
            for (int t = 0; t < 50; t++)
                for (int k = 0; k < d / 2; k++)
                {
                    double w = 1.0 / Math.Pow(10000.0, 2.0 * k / d);
                    Assert.Equal(Math.Sin(t * w), pe[t * d + 2 * k], 1e-7);
                    Assert.Equal(Math.Cos(t * w), pe[t * d + 2 * k + 1], 1e-7);
                }
        }
    }

    [Fact]
    public void Sinusoids_GoldenValues_ForDModel4()
    {
        // w_0 = 1, w_1 = 1 / 10000^(2/4) = 0.01: PE[0] = [0, 1, 0, 1], PE[1] = [sin 1, cos 1, sin 0.01, cos 0.01].
        float[] pe = PositionalEncoding.Sinusoids(2, 4);
        float[] expected = [0f, 1f, 0f, 1f, 0.84147098f, 0.54030231f, 0.0099998333f, 0.99995000f];
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], pe[i], 1e-7f);
    }

    [Property(MaxTest = 25)]
    public Property Seq2Seq_PaddedSourceTokenIds_DoNotChangeTheLogits() =>
        Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), seed =>
        {
            int[] changed = WithPaddedIdsReplaced(Source, SourcePadding, new Random(seed), 11);
            using (Autograd.NoGrad())
            {
                float[] before = Translator.Forward(Source, 6, SourcePadding, Target, 6, null, Batch).ToArray();
                float[] after = Translator.Forward(changed, 6, SourcePadding, Target, 6, null, Batch).ToArray();
                float[] memoryBefore = Translator.Encode(Source, Batch, 6, SourcePadding).ToArray();
                float[] memoryAfter = Translator.Encode(changed, Batch, 6, SourcePadding).ToArray();
                bool sameMemory = Enumerable.Range(0, Batch * 6).Where(r => !SourcePadding[r])
                    .All(r => memoryBefore.AsSpan(r * 16, 16).SequenceEqual(memoryAfter.AsSpan(r * 16, 16)));
                return before.SequenceEqual(after) && sameMemory;
            }
        });

    [Property(MaxTest = 25)]
    public Property EncoderClassifier_PaddedTokenIds_DoNotChangeTheLogits() =>
        Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), seed =>
        {
            int[] changed = WithPaddedIdsReplaced(Source, SourcePadding, new Random(seed), 11);
            using (Autograd.NoGrad())
                return Classifier.Forward(Source, Batch, 6, SourcePadding).ToArray()
                    .SequenceEqual(Classifier.Forward(changed, Batch, 6, SourcePadding).ToArray());
        });

    public static TheoryData<string> OverLongInputs => new() { "seq2seq source", "seq2seq target", "decoder_only", "decoder_only cached", "encoder_classifier" };

    [Theory]
    [MemberData(nameof(OverLongInputs))]
    public void Forward_LongerThanMaxLen_ThrowsArgumentExceptionNamingTheLimit(string input)
    {
        int[] nine = Enumerable.Repeat(3, Batch * 9).ToArray(), eight = Enumerable.Repeat(3, Batch * 8).ToArray();
        using var _ = Autograd.NoGrad();
        Action run = input switch
        {
            "seq2seq source" => () => Translator.Forward(nine, 9, null, eight, 8, null, Batch),
            "seq2seq target" => () => Translator.Forward(eight, 8, null, nine, 9, null, Batch),
            "decoder_only" => () => Gpt.Forward(nine, Batch, 9),
            "decoder_only cached" => () =>
            {
                var cache = new KvCache(GptConfig.DecoderLayers);
                Gpt.Forward(eight, Batch, 8, cache: cache);
                Gpt.Forward([3, 3], Batch, 1, cache: cache);
            },
            _ => () => Classifier.Forward(nine, Batch, 9, null),
        };
        ArgumentException e = Assert.Throws<ArgumentException>(run);
        Assert.Contains("9 tokens", e.Message, StringComparison.Ordinal);
        Assert.Contains("max_len 8", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 4)]
    public void Seq2SeqDecode_WithKvCache_MatchesTheFullPass(bool normFirst, int chunk)
    {
        Seq2SeqTransformer model = normFirst ? PreNormTranslator : Translator;
        const int length = 6, vocab = 13;
        using var _ = Autograd.NoGrad();
        Tensor memory = model.Encode(Source, Batch, 6, SourcePadding);
        float[] full = model.Decode(Target, Batch, length, memory, null, SourcePadding).ToArray();
        var cache = new KvCache(Seq2SeqConfig.DecoderLayers);
        float[] stepped = Stepped(full.Length, length, vocab, chunk, Target,
            (part, n) => model.Decode(part, Batch, n, memory, null, SourcePadding, cache));
        AssertClose(full, stepped, 1e-5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void DecoderOnlyForward_WithKvCache_MatchesTheFullPass(int chunk)
    {
        const int length = 8, vocab = 13;
        int[] ids = RandomIds(new Random(7), Batch * length, vocab);
        using var _ = Autograd.NoGrad();
        float[] full = Gpt.Forward(ids, Batch, length).ToArray();
        var cache = new KvCache(GptConfig.DecoderLayers);
        float[] stepped = Stepped(full.Length, length, vocab, chunk, ids, (part, n) => Gpt.Forward(part, Batch, n, cache: cache));
        AssertClose(full, stepped, 1e-5);
    }

    [Fact]
    public void Sampling_PastMaxLen_DrawsFromAFullPassOverTheSameWindowAtEveryStep()
    {
        int[] prompt = [3, 5, 7, 9, 11, 4, 6];   // one short of max_len, so the window restarts right away
        const int newTokens = 12;                // and then again at every other token
        var options = new SamplingOptions { Temperature = 1f, Seed = 5 };
        int[] generated = Sampling.Generate(Gpt, prompt, newTokens, options);
        var history = new List<int>(prompt);
        var rng = new Rng(options.Seed);
        using var _ = Autograd.NoGrad();
        for (int i = 0; i < newTokens; i++)
        {
            // the cached generator restarts from the last max_len - 1 tokens when its window is full; the reference
            // runs the whole model over the same window and draws with the same generator
            int window = WindowLength(history.Count - prompt.Length, prompt.Length);
            int[] context = history.Skip(history.Count - window).ToArray();
            float[] logits = Gpt.Forward(context, 1, context.Length).ToArray();
            history.Add(Sampling.Pick(logits.AsSpan(logits.Length - 13, 13), options, rng));
        }
        Assert.True(generated.Distinct().Count() > 2, "the draws vary, so a wrong window would show");
        Assert.Equal(history.Skip(prompt.Length).ToArray(), generated);
    }

    // The number of tokens the cached generator's window holds after `produced` new tokens: it grows to max_len (8),
    // then starts again from 7 tokens.
    private static int WindowLength(int produced, int promptLength)
    {
        int length = promptLength;
        for (int i = 0; i < produced; i++)
            length = length >= 8 ? 7 : length + 1;
        return length;
    }

    /// <summary>Logits [B, length, V] from feeding ids [B, length] to <paramref name="step"/> <paramref name="chunk"/> positions at a time.</summary>
    private static float[] Stepped(int size, int length, int vocab, int chunk, int[] ids, Func<int[], int, Tensor> step)
    {
        float[] logits = new float[size];
        for (int start = 0; start < length; start += chunk)
        {
            int n = Math.Min(chunk, length - start);
            int[] part = Enumerable.Range(0, Batch).SelectMany(b => ids.Skip(b * length + start).Take(n)).ToArray();
            float[] result = step(part, n).ToArray();                          // [B, n, V]
            for (int b = 0; b < Batch; b++)
                result.AsSpan(b * n * vocab, n * vocab).CopyTo(logits.AsSpan((b * length + start) * vocab, n * vocab));
        }
        return logits;
    }

    /// <summary>Replaces every parameter by U(-0.5, 0.5) so no rule holds merely because weights are small or symmetric.</summary>
    private static T Randomised<T>(T model, int seed) where T : ITransformerModel
    {
        var rng = new Random(seed);
        float[] values = model.Parameters.Values;
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(rng.NextDouble() - 0.5);
        return model;
    }

    private static int[] RandomIds(Random rng, int count, int vocab) => Enumerable.Range(0, count).Select(_ => rng.Next(3, vocab)).ToArray();

    /// <summary>A copy of ids [B, length] whose tokens at <paramref name="from"/> and after are replaced by other ids.</summary>
    private static int[] WithChangedPositions(int[] ids, int length, int from, Random rng, int vocab)
    {
        int[] changed = (int[])ids.Clone();
        for (int b = 0; b < ids.Length / length; b++)
            for (int i = b * length + from; i < (b + 1) * length; i++)
                changed[i] = 3 + (ids[i] - 3 + 1 + rng.Next(vocab - 4)) % (vocab - 3);
        return changed;
    }

    private static int[] WithPaddedIdsReplaced(int[] ids, bool[] padding, Random rng, int vocab) =>
        ids.Select((id, i) => padding[i] ? rng.Next(1, vocab) : id).ToArray();

    /// <summary>True when logits [B, length, V] agree exactly at positions before <paramref name="upTo"/>.</summary>
    private static bool SamePrefix(float[] a, float[] b, int length, int upTo, int vocab) =>
        Enumerable.Range(0, a.Length / (length * vocab))
            .All(batch => a.AsSpan(batch * length * vocab, upTo * vocab).SequenceEqual(b.AsSpan(batch * length * vocab, upTo * vocab)));

    private static float[][] Captured(IEnumerable<MultiHeadAttention> layers, Func<Tensor> run)
    {
        MultiHeadAttention[] attention = layers.ToArray();
        foreach (MultiHeadAttention a in attention)
            a.CaptureWeights = true;
        try
        {
            using (Autograd.NoGrad())
                run();
            return attention.Select(a => a.LastWeights!).ToArray();
        }
        finally
        {
            foreach (MultiHeadAttention a in attention)
                a.CaptureWeights = false;
        }
    }

    /// <summary>Weights [B, H, tq, tk]: exactly zero where <paramref name="hidden"/>(b, i, j), and each row sums to one.</summary>
    private static void AssertAttentionRows(float[] weights, int tq, int tk, Func<int, int, int, bool> hidden)
    {
        int heads = weights.Length / (Batch * tq * tk);
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < tq; i++)
                {
                    ReadOnlySpan<float> row = weights.AsSpan(((b * heads + h) * tq + i) * tk, tk);
                    float sum = 0f;
                    for (int j = 0; j < tk; j++)
                    {
                        if (hidden(b, i, j))
                            Assert.True(row[j] == 0f, $"batch {b}, head {h}, query {i}: hidden key {j} has weight {row[j]}");
                        sum += row[j];
                    }
                    Assert.True(Math.Abs(sum - 1f) < 1e-5f, $"batch {b}, head {h}, query {i}: weights sum to {sum}");
                }
    }

    /// <summary>max |actual - expected| &lt;= tolerance max(1, max |expected|).</summary>
    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        double scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        (double error, int worst) = (0.0, 0);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(e) || e > error)
                (error, worst) = (double.IsNaN(e) ? double.PositiveInfinity : e, i);
        }
        Assert.True(error <= tolerance * scale, $"max error {error:E3} at [{worst}] (cached {actual[worst]:R}, full {expected[worst]:R}) exceeds {tolerance * scale:E3}");
    }
}
