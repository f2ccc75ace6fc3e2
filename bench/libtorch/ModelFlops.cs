namespace LibTorchBench;

/// <summary>Model FLOPs, the formulas of docs/benchmarks.md (the same as train_bench.py and Attend's ModelFlops).</summary>
internal static class ModelFlops
{
    public static double Seq2SeqForward(double d, double ff, double layers, double vocab, double batch, double s, double t)
    {
        double enc = layers * s * 2 * (4 * d * d + 2 * d * ff + 2 * s * d);
        double dec = layers * (t * 2 * (6 * d * d + 2 * d * ff + 2 * t * d + 2 * s * d) + s * 2 * (2 * d * d));
        return batch * (enc + dec + t * 2 * d * vocab);
    }

    public static double LanguageModelForward(double d, double ff, double layers, double vocab, double batch, double t) =>
        batch * (layers * t * 2 * (4 * d * d + 2 * d * ff + 2 * t * d) + t * 2 * d * vocab);

    public static double GreedyDecode(double d, double ff, double layers, double vocab, double sentences, double s, int newTokens)
    {
        double enc = layers * s * 2 * (4 * d * d + 2 * d * ff + 2 * s * d) + layers * s * 2 * (2 * d * d);
        double steps = 0;
        for (int p = 1; p <= newTokens; p++)
            steps += layers * 2 * (6 * d * d + 2 * d * ff + 2 * p * d + 2 * s * d) + 2 * d * vocab;
        return sentences * (enc + steps);
    }
}
