using Attend.Models;
using Attend.Tensors;

namespace Attend.Decoding;

/// <summary>
/// Greedy decoding as the notes describe it: take the most probable token, append it, repeat until end-of-sequence
/// or the length limit. Batched; with the key/value cache each new token costs one decoder step.
/// </summary>
public static class Greedy
{
    /// <summary>Translates each source sentence (token ids, no padding) into target ids, without bos and eos.</summary>
    public static int[][] Translate(Seq2SeqTransformer model, IReadOnlyList<int[]> sources, int maxNewTokens, bool useCache = true)
    {
        ModelConfig c = model.Config;
        bool training = model.Dropout.Training;
        model.Dropout.Training = false;
        try
        {
            using var noGrad = Autograd.NoGrad();
            using Workspace.Scope batchScope = Workspace.Begin();   // the encoder's output lives until the batch is done
            SourceBatch src = SourceBatch.Pad(sources, c.PadId);
            int b = src.Batch;
            Tensor memory = model.Encode(src.Ids, b, src.Length, src.Padding);
            var output = Enumerable.Range(0, b).Select(_ => new List<int>()).ToArray();
            bool[] done = new bool[b];
            int limit = Math.Min(maxNewTokens, c.MaxLen - 1);
            using KvCache? cache = useCache ? new KvCache(model.Decoder.Length, limit + 1) : null;
            var prefix = Enumerable.Range(0, b).Select(_ => new List<int> { c.BosId }).ToArray();
            for (int step = 0; step < limit && !done.All(x => x); step++)
            {
                using Workspace.Scope stepScope = Workspace.Begin();   // a step's buffers return to the pool for the next step
                Tensor logits;
                int length;
                if (cache is not null)
                {
                    length = 1;
                    logits = model.Decode(prefix.Select(p => p[^1]).ToArray(), b, 1, memory, null, src.Padding, cache);
                }
                else
                {
                    length = prefix[0].Count;
                    logits = model.Decode(prefix.SelectMany(p => p).ToArray(), b, length, memory, null, src.Padding);
                }
                int v = logits.Shape.Last;
                for (int i = 0; i < b; i++)
                {
                    int next = ArgMax(logits.Data.Slice(((i * length) + length - 1) * v, v));
                    prefix[i].Add(next);
                    if (done[i])
                        continue;
                    if (next == c.EosId)
                        done[i] = true;
                    else
                        output[i].Add(next);
                }
            }
            return output.Select(o => o.ToArray()).ToArray();
        }
        finally
        {
            model.Dropout.Training = training;
        }
    }

    /// <summary>The index of the largest value; the first one on ties.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }
}
