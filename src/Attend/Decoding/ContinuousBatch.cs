using Attend.Models;
using Attend.Tensors;

namespace Attend.Decoding;

/// <summary>Why a generated sequence ended.</summary>
public enum FinishReason
{
    /// <summary>The model produced the stop token (end of sequence), or the caller stopped it at a stop sequence.</summary>
    Stop,

    /// <summary>The sequence reached its token limit or the model's context (max_len) is full.</summary>
    Length,
}

/// <summary>
/// Continuous batching for a decoder-only model: sequences join a running batch at any step with their own key/value
/// cache, every step feeds each sequence's last token through the model in one pass and samples its next token, and a
/// finished sequence leaves at once, handing its cache back, so a long generation never holds up a short one. Not thread
/// safe: one thread drives it.
/// </summary>
public sealed class ContinuousBatch : IDisposable
{
    private readonly DecoderOnlyTransformer _model;
    private readonly List<GenerationSequence> _active = [];

    /// <summary>An empty batch over <paramref name="model"/>.</summary>
    public ContinuousBatch(DecoderOnlyTransformer model) => _model = model;

    /// <summary>The sequences still generating, in the order they joined.</summary>
    public IReadOnlyList<GenerationSequence> Active => _active;

    /// <summary>
    /// Runs <paramref name="prompt"/> (1 to max_len tokens) through the model into a fresh cache and samples its first
    /// token. The sequence is then in <see cref="Active"/>, unless that token already finished it (stop token, a limit
    /// of one token, or a prompt that fills the context).
    /// </summary>
    public GenerationSequence Join(int[] prompt, int maxNewTokens, SamplingOptions options, int? stopId = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (prompt.Length == 0)
            throw new ArgumentException("Join: the prompt is empty");
        if (prompt.Length > _model.Config.MaxLen)
            throw new ArgumentException($"Join: the prompt has {prompt.Length} tokens, more than the model's max_len {_model.Config.MaxLen}");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 1);
        var sequence = new GenerationSequence(prompt, maxNewTokens, options, stopId, new KvCache(_model.Blocks.Length, _model.Config.MaxLen));
        try
        {
            using var inference = new InferenceMode(_model);
            using Workspace.Scope scope = Workspace.Begin();
            Tensor logits = _model.Forward(prompt, 1, prompt.Length, null, sequence.Cache);   // [1, T, V]
            int v = logits.Shape.Last;
            Accept(sequence, logits.Data.Slice(logits.Length - v, v));
        }
        catch
        {
            sequence.Cache.Dispose();
            throw;
        }
        if (sequence.Finish is null)
            _active.Add(sequence);
        return sequence;
    }

    /// <summary>Gives every active sequence one more token in one pass of the model; the sequences that finish leave.</summary>
    public void Step()
    {
        if (_active.Count == 0)
            return;
        int n = _active.Count;
        int[] tokens = new int[n];
        var caches = new KvCache[n];
        for (int i = 0; i < n; i++)
            (tokens[i], caches[i]) = (_active[i].Tokens[^1], _active[i].Cache);
        using (var inference = new InferenceMode(_model))
        using (Workspace.Scope scope = Workspace.Begin())
        {
            Tensor logits = _model.Step(tokens, caches);   // [N, 1, V]
            int v = logits.Shape.Last;
            for (int i = 0; i < n; i++)
                Accept(_active[i], logits.Data.Slice(i * v, v));
        }
        _active.RemoveAll(s => s.Finish is not null);
    }

    /// <summary>Takes <paramref name="sequence"/> out of the batch before it finishes (its client went away) and frees its cache.</summary>
    public void Leave(GenerationSequence sequence)
    {
        if (_active.Remove(sequence))
            sequence.End(FinishReason.Stop);
    }

    /// <summary>Ends every active sequence and frees the caches.</summary>
    public void Dispose()
    {
        foreach (GenerationSequence s in _active)
            s.End(FinishReason.Stop);
        _active.Clear();
    }

    // Samples the sequence's next token from its logits and decides whether it is done.
    private void Accept(GenerationSequence s, ReadOnlySpan<float> logits)
    {
        int next = Sampling.Pick(logits, s.Options, s.Rng);
        if (next == s.StopId)
        {
            s.End(FinishReason.Stop);
            return;
        }
        s.Add(next);
        // The new token is fed at position cache.Length in the next step, which must exist.
        if (s.Tokens.Count >= s.MaxNewTokens || s.Cache.Length >= _model.Config.MaxLen)
            s.End(FinishReason.Length);
    }

    // Dropout off and no gradient recording for the duration of a pass.
    private readonly struct InferenceMode : IDisposable
    {
        private readonly DecoderOnlyTransformer _model;
        private readonly bool _training;
        private readonly Autograd.NoGradScope _noGrad;

        public InferenceMode(DecoderOnlyTransformer model)
        {
            (_model, _training) = (model, model.Dropout.Training);
            model.Dropout.Training = false;
            _noGrad = Autograd.NoGrad();
        }

        public void Dispose()
        {
            _noGrad.Dispose();
            _model.Dropout.Training = _training;
        }
    }
}

/// <summary>One sequence of a <see cref="ContinuousBatch"/>: its prompt, the tokens generated so far and its own cache.</summary>
public sealed class GenerationSequence
{
    private readonly List<int> _tokens = [];

    internal GenerationSequence(int[] prompt, int maxNewTokens, SamplingOptions options, int? stopId, KvCache cache)
    {
        (Prompt, MaxNewTokens, Options, StopId, Cache) = (prompt, maxNewTokens, options, stopId, cache);
        Rng = new Rng(options.Seed);
    }

    /// <summary>The prompt's tokens.</summary>
    public int[] Prompt { get; }

    /// <summary>The generated tokens, without the stop token.</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>Why the sequence ended; null while it is generating.</summary>
    public FinishReason? Finish { get; private set; }

    /// <summary>The most tokens it may generate.</summary>
    public int MaxNewTokens { get; }

    /// <summary>How its tokens are sampled.</summary>
    public SamplingOptions Options { get; }

    /// <summary>The token that ends it (not part of the output); null for none.</summary>
    public int? StopId { get; }

    internal KvCache Cache { get; }

    internal Rng Rng { get; }

    internal void Add(int token) => _tokens.Add(token);

    internal void End(FinishReason reason)
    {
        Finish ??= reason;
        Cache.Dispose();
    }
}
