using Attend.Models;

namespace Attend.Cli.Bench;

/// <summary>
/// Model FLOPs counted analytically from the shapes (docs/benchmarks.md states the same formulas). Only matrix
/// products count, 2 FLOPs per multiply-add; embeddings, norms, softmax, dropout, biases and the optimizer are left
/// out. A training step costs three forward passes (the backward pass computes two products per forward product).
/// </summary>
internal static class ModelFlops
{
    /// <summary>Forward FLOPs of one encoder-decoder pass over <paramref name="batch"/> pairs of S source and T target tokens.</summary>
    public static double Seq2SeqForward(ModelConfig c, int batch, double s, double t)
    {
        double d = c.DModel, ff = c.DFF;
        // Encoder layer per source token: Q, K, V, O projections (4 d^2), the feed-forward (2 d dff), and the
        // attention products Q K^T and A V over S keys (2 S d).
        double encoder = c.EncoderLayers * s * 2 * (4 * d * d + 2 * d * ff + 2 * s * d);
        // Decoder layer per target token: self-attention projections (4 d^2), cross-attention Q and O (2 d^2), the
        // feed-forward, self-attention products over T keys and cross-attention products over S keys; plus the
        // cross-attention K and V projections of the S memory tokens (2 d^2 each).
        double decoder = c.DecoderLayers * (t * 2 * (6 * d * d + 2 * d * ff + 2 * t * d + 2 * s * d) + s * 2 * (2 * d * d));
        double generator = t * 2 * d * c.TgtVocabSize;
        return batch * (encoder + decoder + generator);
    }

    /// <summary>Forward FLOPs of one decoder-only pass over <paramref name="batch"/> blocks of T tokens.</summary>
    public static double LanguageModelForward(ModelConfig c, int batch, double t)
    {
        double d = c.DModel, ff = c.DFF;
        double blocks = c.DecoderLayers * t * 2 * (4 * d * d + 2 * d * ff + 2 * t * d);
        return batch * (blocks + t * 2 * d * c.TgtVocabSize);
    }

    /// <summary>FLOPs of one training step (forward, backward = 2 x forward); the optimizer is not counted.</summary>
    public static double TrainingStep(BenchConfig b) => 3 * (b.IsLanguageModel
        ? LanguageModelForward(b.Model, b.Batch, b.TargetLength)
        : Seq2SeqForward(b.Model, b.Batch, b.SourceLength, b.TargetLength));

    /// <summary>
    /// FLOPs of greedy decoding that the model needs whatever the implementation: one encoder pass, the cross-attention
    /// K/V of the memory once, then for the new token at position p (1-based) the decoder layers with self-attention
    /// over p keys and cross-attention over S keys, and the generator. Re-running the whole prefix at every step
    /// (decoding without a cache) costs more but is not counted.
    /// </summary>
    public static double GreedyDecode(ModelConfig c, int sentences, double s, int newTokens)
    {
        double d = c.DModel, ff = c.DFF;
        double encoder = c.EncoderLayers * s * 2 * (4 * d * d + 2 * d * ff + 2 * s * d);
        double memoryKv = c.DecoderLayers * s * 2 * (2 * d * d);
        double steps = 0;
        for (int p = 1; p <= newTokens; p++)
            steps += c.DecoderLayers * 2 * (6 * d * d + 2 * d * ff + 2 * p * d + 2 * s * d) + 2 * d * c.TgtVocabSize;
        return sentences * (encoder + memoryKv + steps);
    }
}
