using System.Globalization;

namespace Attend.Evaluation;

/// <summary>A corpus BLEU score and the statistics behind it, as sacreBLEU reports them.</summary>
public sealed record BleuScore(double Score, double[] Precisions, double BrevityPenalty, double Ratio, long HypothesisLength, long ReferenceLength,
    long[] Correct, long[] Total)
{
    /// <summary>sacreBLEU's line: "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"BLEU = {Score:F2} {string.Join("/", Precisions.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)))} (BP = {BrevityPenalty:F3} ratio = {Ratio:F3} hyp_len = {HypothesisLength} ref_len = {ReferenceLength})");
}

/// <summary>
/// Corpus-level BLEU computed like sacreBLEU's default: 13a tokenization, case-sensitive, n-grams up to 4 clipped by
/// the references, the closest reference length for the brevity penalty BP = exp(1 - r/c) when c &lt; r, and 'exp'
/// smoothing (a zero precision p_n counts as 100 / (2^k total_n) for the k-th such n).
/// BLEU = BP * exp(mean_n log p_n), in 0..100.
/// </summary>
public static class Bleu
{
    /// <summary>BLEU of hypotheses against one reference each.</summary>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, bool tokenize = true) =>
        Corpus(hypotheses, [references], tokenize);

    /// <summary>BLEU against several reference streams (each aligned with the hypotheses).</summary>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> referenceStreams, bool tokenize = true)
    {
        foreach (IReadOnlyList<string> refs in referenceStreams)
            if (refs.Count != hypotheses.Count)
                throw new ArgumentException($"BLEU: {hypotheses.Count} hypotheses but a reference stream of {refs.Count} lines");
        long[] correct = new long[4], total = new long[4];
        long hypLen = 0, refLen = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            string[] hyp = Words(hypotheses[i], tokenize);
            var refs = referenceStreams.Select(s => Words(s[i], tokenize)).ToList();
            hypLen += hyp.Length;
            refLen += ClosestLength(hyp.Length, refs.Select(r => r.Length));
            for (int n = 1; n <= 4; n++)
            {
                Dictionary<string, int> hypCounts = NGrams(hyp, n);
                var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (string[] r in refs)
                    foreach (var (gram, count) in NGrams(r, n))
                        maxRef[gram] = Math.Max(maxRef.GetValueOrDefault(gram), count);
                foreach (var (gram, count) in hypCounts)
                    correct[n - 1] += Math.Min(count, maxRef.GetValueOrDefault(gram));
                total[n - 1] += Math.Max(0, hyp.Length - n + 1);
            }
        }
        return Score(correct, total, hypLen, refLen);
    }

    /// <summary>BLEU from the sufficient statistics (sacreBLEU's compute_bleu with 'exp' smoothing).</summary>
    public static BleuScore Score(long[] correct, long[] total, long hypLen, long refLen)
    {
        double[] precisions = new double[4];
        double smooth = 1.0;
        for (int n = 0; n < 4; n++)
        {
            if (total[n] == 0)
                break;
            if (correct[n] == 0)
            {
                smooth *= 2;
                precisions[n] = 100.0 / (smooth * total[n]);
            }
            else
            {
                precisions[n] = 100.0 * correct[n] / total[n];
            }
        }
        double bp = hypLen < refLen ? (hypLen > 0 ? Math.Exp(1.0 - (double)refLen / hypLen) : 0.0) : 1.0;
        double logSum = precisions.Sum(p => p > 0 ? Math.Log(p) : -9999999999.0);
        double score = bp * Math.Exp(logSum / 4);
        return new BleuScore(score, precisions, bp, refLen == 0 ? 0 : (double)hypLen / refLen, hypLen, refLen, correct, total);
    }

    private static string[] Words(string line, bool tokenize) =>
        (tokenize ? Tokenizer13a.Tokenize(line) : line).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static long ClosestLength(int hyp, IEnumerable<int> refs)
    {
        int best = int.MaxValue, bestLen = 0;
        foreach (int r in refs)
        {
            int diff = Math.Abs(hyp - r);
            if (diff < best || (diff == best && r < bestLen))
                (best, bestLen) = (diff, r);
        }
        return bestLen;
    }

    private static Dictionary<string, int> NGrams(string[] words, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= words.Length; i++)
        {
            string gram = string.Join('\u0001', words, i, n);
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }
}
