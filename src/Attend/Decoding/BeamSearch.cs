using Attend.Layers;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Decoding;

/// <summary>
/// Beam search for the encoder-decoder: keep the <c>beam</c> most probable prefixes, extend each by every token,
/// keep the best again; a finished hypothesis scores sum(log p) / length^alpha (the length penalty).
/// </summary>
public static class BeamSearch
{
    /// <summary>Translates each source sentence with beam size <paramref name="beam"/>; returns target ids without bos and eos.</summary>
    public static int[][] Translate(Seq2SeqTransformer model, IReadOnlyList<int[]> sources, int beam, int maxNewTokens, float lengthPenalty = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beam, 1);
        bool training = model.Dropout.Training;
        model.Dropout.Training = false;
        try
        {
            using var noGrad = Autograd.NoGrad();
            return sources.Select(s => One(model, s, beam, maxNewTokens, lengthPenalty)).ToArray();
        }
        finally
        {
            model.Dropout.Training = training;
        }
    }

    private static int[] One(Seq2SeqTransformer model, int[] source, int k, int maxNewTokens, float alpha)
    {
        ModelConfig c = model.Config;
        SourceBatch src = SourceBatch.Pad(Enumerable.Repeat(source, k).ToList(), c.PadId);
        Tensor memory = model.Encode(src.Ids, k, src.Length, src.Padding);
        using var cache = new KvCache(model.Decoder.Length, Math.Min(maxNewTokens, c.MaxLen - 1) + 1);
        var alive = new List<(List<int> Tokens, double Score)> { (new List<int>(), 0.0) };
        var finished = new List<(List<int> Tokens, double Score)>();
        int[] last = Enumerable.Repeat(c.BosId, k).ToArray();
        int limit = Math.Min(maxNewTokens, c.MaxLen - 1);
        for (int step = 0; step < limit && alive.Count > 0 && finished.Count < k; step++)
        {
            Tensor logits = model.Decode(last, k, 1, memory, null, src.Padding, cache);   // [k, 1, V]
            Tensor logp = Ops.LogSoftmax(logits);
            int v = logp.Shape.Last;
            var candidates = new List<(double Score, int Parent, int Token)>();
            for (int i = 0; i < alive.Count; i++)
            {
                ReadOnlySpan<float> row = logp.Data.Slice(i * v, v);
                foreach (int t in TopIndices(row, k))
                    candidates.Add((alive[i].Score + row[t], i, t));
            }
            candidates.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Parent != b.Parent ? a.Parent.CompareTo(b.Parent) : a.Token.CompareTo(b.Token));
            var next = new List<(List<int> Tokens, double Score)>();
            var parents = new List<int>();
            foreach ((double score, int parent, int token) in candidates)
            {
                if (next.Count + finished.Count >= k)
                    break;
                if (token == c.EosId || step == limit - 1)
                {
                    var tokens = token == c.EosId ? alive[parent].Tokens : [.. alive[parent].Tokens, token];
                    finished.Add((tokens, score / Math.Pow(Math.Max(1, tokens.Count + 1), alpha)));
                    continue;
                }
                next.Add(([.. alive[parent].Tokens, token], score));
                parents.Add(parent);
            }
            alive = next;
            if (alive.Count == 0)
                break;
            Reorder(cache, parents, k);
            last = Enumerable.Range(0, k).Select(i => i < alive.Count ? alive[i].Tokens[^1] : c.PadId).ToArray();
        }
        if (finished.Count == 0)
            finished.AddRange(alive.Select(a => (a.Tokens, a.Score / Math.Pow(Math.Max(1, a.Tokens.Count), alpha))));
        return finished.OrderByDescending(f => f.Score).First().Tokens.ToArray();
    }

    /// <summary>The indices of the <paramref name="k"/> largest values, largest first, lowest index first on ties.</summary>
    internal static int[] TopIndices(ReadOnlySpan<float> values, int k)
    {
        var best = new List<int>(k + 1);
        for (int i = 0; i < values.Length; i++)
        {
            if (best.Count == k && values[i] <= values[best[^1]])
                continue;
            int at = best.Count;
            while (at > 0 && values[best[at - 1]] < values[i])
                at--;
            best.Insert(at, i);
            if (best.Count > k)
                best.RemoveAt(k);
        }
        return [.. best];
    }

    /// <summary>Makes row i of every self-attention cache the row of its parent beam (rows past the alive beams repeat the last).</summary>
    private static void Reorder(KvCache cache, List<int> parents, int k)
    {
        Span<int> sources = k <= 256 ? stackalloc int[k] : new int[k];
        for (int i = 0; i < k; i++)
            sources[i] = parents[Math.Min(i, parents.Count - 1)];
        foreach (AttentionCache layer in cache.Self)
            layer.Reorder(sources);
    }
}
