using Attend.Models;
using Attend.Tensors;

namespace Attend.Decoding;

/// <summary>The settings of sampling.</summary>
public sealed record SamplingOptions
{
    /// <summary>Logits are divided by the temperature; 0 means greedy.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep only the k most probable tokens; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of tokens whose probability reaches p (nucleus sampling); 1 keeps all.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>The seed of the generator.</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>Text generation with a decoder-only model: sample each next token from softmax(logits / temperature), filtered by top-k and top-p.</summary>
public static class Sampling
{
    /// <summary>Continues <paramref name="prompt"/> by up to <paramref name="maxNewTokens"/> tokens (stopping at eos); returns the new tokens.</summary>
    public static int[] Generate(DecoderOnlyTransformer model, int[] prompt, int maxNewTokens, SamplingOptions options, int? stopId = null)
    {
        if (prompt.Length == 0)
            throw new ArgumentException("Generate: the prompt is empty");
        bool training = model.Dropout.Training;
        model.Dropout.Training = false;
        try
        {
            using var noGrad = Autograd.NoGrad();
            var rng = new Rng(options.Seed);
            var output = new List<int>();
            var cache = new KvCache(model.Blocks.Length, model.Config.MaxLen);
            int[] context = prompt.Length > model.Config.MaxLen ? prompt[^model.Config.MaxLen..] : prompt;
            Tensor logits = model.Forward(context, 1, context.Length, null, cache);
            for (int i = 0; i < maxNewTokens; i++)
            {
                int v = logits.Shape.Last;
                ReadOnlySpan<float> last = logits.Data.Slice(logits.Length - v, v);
                int next = Pick(last, options, rng);
                if (next == stopId)
                    break;
                output.Add(next);
                if (cache.Length >= model.Config.MaxLen)
                {
                    context = RestartWindow(prompt, output, model.Config.MaxLen);
                    cache.Dispose();
                    cache = new KvCache(model.Blocks.Length, model.Config.MaxLen);
                    logits = model.Forward(context, 1, context.Length, null, cache);
                }
                else
                {
                    logits = model.Forward([next], 1, 1, null, cache);
                }
            }
            cache.Dispose();
            return [.. output];
        }
        finally
        {
            model.Dropout.Training = training;
        }
    }

    /// <summary>The context to start again from when the window is full: the last max_len - 1 tokens of the prompt and the output so far.</summary>
    internal static int[] RestartWindow(int[] prompt, List<int> output, int maxLen)
    {
        int[] all = [.. prompt, .. output];
        return all[^Math.Min(all.Length, maxLen - 1)..];
    }

    /// <summary>Draws one token from <paramref name="logits"/> under the options.</summary>
    public static int Pick(ReadOnlySpan<float> logits, SamplingOptions options, Rng rng)
    {
        if (options.Temperature <= 0f)
            return Greedy.ArgMax(logits);
        int v = logits.Length;
        int[] order = Enumerable.Range(0, v).ToArray();
        float[] scaled = new float[v];
        for (int i = 0; i < v; i++)
            scaled[i] = logits[i] / options.Temperature;
        Array.Sort(order, (a, b) => scaled[b] != scaled[a] ? scaled[b].CompareTo(scaled[a]) : a.CompareTo(b));
        int keep = options.TopK > 0 ? Math.Min(options.TopK, v) : v;
        double max = scaled[order[0]], total = 0;
        double[] p = new double[keep];
        for (int i = 0; i < keep; i++)
            total += p[i] = Math.Exp(scaled[order[i]] - max);
        if (options.TopP < 1f)
        {
            double cumulative = 0;
            for (int i = 0; i < keep; i++)
            {
                cumulative += p[i] / total;
                if (cumulative >= options.TopP)
                {
                    keep = i + 1;
                    break;
                }
            }
            total = p.Take(keep).Sum();
        }
        double r = rng.NextDouble() * total;
        for (int i = 0; i < keep; i++)
        {
            r -= p[i];
            if (r < 0)
                return order[i];
        }
        return order[keep - 1];
    }
}
