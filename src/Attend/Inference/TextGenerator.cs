using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Attend.Decoding;
using Attend.Models;

namespace Attend.Inference;

/// <summary>One generated token, or (with <see cref="Finish"/> set and <see cref="Id"/> -1) the end of the sequence.</summary>
public readonly record struct GeneratedToken(int Id, FinishReason? Finish);

/// <summary>
/// Serves generation requests for one decoder-only model from many callers at once with continuous batching: a
/// dedicated thread drives a <see cref="ContinuousBatch"/>; a new request runs its prompt and joins the running batch at
/// the next step with its own key/value cache; a finished or abandoned one leaves it and frees its cache. Tokens stream
/// to each caller as they are sampled.
/// </summary>
public sealed class TextGenerator : IDisposable
{
    private readonly DecoderOnlyTransformer _model;
    private readonly BatchingOptions _options;
    private readonly object _lock;
    private readonly Queue<Request> _waiting = new();
    private readonly List<Request> _running = [];
    private readonly Thread _thread;
    private bool _stopping;

    /// <summary>
    /// Starts the generation thread. <paramref name="modelLock"/>, when given, is held during every pass of the model, so
    /// other users of the same model object (an attention view, say) never run at the same time.
    /// </summary>
    public TextGenerator(DecoderOnlyTransformer model, BatchingOptions? options = null, object? modelLock = null)
    {
        _model = model;
        _options = (options ?? new BatchingOptions()).Validate();
        _lock = modelLock ?? new object();
        _thread = new Thread(Loop) { IsBackground = true, Name = "attend-generate" };
        _thread.Start();
    }

    /// <summary>The model.</summary>
    public DecoderOnlyTransformer Model => _model;

    /// <summary>Called on the generation thread after each prompt pass (Size 1, Tokens the prompt's; it also samples the first token).</summary>
    public event Action<BatchRun>? PromptCompleted;

    /// <summary>Called on the generation thread after each step (Size the sequences in the batch, Tokens one per sequence).</summary>
    public event Action<BatchRun>? StepCompleted;

    /// <summary>Requests waiting to join the running batch.</summary>
    public int QueueLength
    {
        get
        {
            lock (_waiting)
                return _waiting.Count;
        }
    }

    /// <summary>Sequences in the running batch.</summary>
    public int ActiveCount
    {
        get
        {
            lock (_waiting)
                return _running.Count;
        }
    }

    /// <summary>
    /// Continues <paramref name="prompt"/> (1 to max_len tokens), yielding each token as it is sampled and, last, one
    /// <see cref="GeneratedToken"/> carrying the finish reason. Stopping the enumeration early (or cancelling) takes the
    /// sequence out of the batch and frees its cache. Throws <see cref="QueueFullException"/> when too many requests wait.
    /// </summary>
    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(int[] prompt, int maxNewTokens, SamplingOptions options, int? stopId,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (prompt.Length == 0)
            throw new ArgumentException("the prompt encodes to no tokens");
        if (prompt.Length > _model.Config.MaxLen)
            throw new ArgumentException($"the prompt has {prompt.Length} tokens, more than the model's max_len {_model.Config.MaxLen}");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 1);
        var request = new Request(prompt, maxNewTokens, options, stopId);
        Enqueue(request);
        try
        {
            await foreach (GeneratedToken token in request.Output.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return token;
        }
        finally
        {
            if (!request.Output.Reader.Completion.IsCompleted)
                Abandon(request);
        }
    }

    /// <summary>Stops taking requests, lets the running and waiting ones finish, and ends the thread.</summary>
    public void Dispose()
    {
        lock (_waiting)
        {
            _stopping = true;
            Monitor.PulseAll(_waiting);
        }
        _thread.Join();
    }

    private void Enqueue(Request request)
    {
        lock (_waiting)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_waiting.Count >= _options.MaxQueue)
                throw new QueueFullException(_options.MaxQueue);
            _waiting.Enqueue(request);
            Monitor.PulseAll(_waiting);
        }
    }

    private static void Abandon(Request request) => Volatile.Write(ref request.Abandoned, true);

    private void Loop()
    {
        using var batch = new ContinuousBatch(_model);
        var joining = new List<Request>();
        while (true)
        {
            lock (_waiting)
            {
                while (_waiting.Count == 0 && _running.Count == 0 && !_stopping)
                    Monitor.Wait(_waiting);
                if (_waiting.Count == 0 && _running.Count == 0)
                    return;
                // Abandoned sequences leave before the step, so their caches are free for the ones joining.
                foreach (Request r in _running.Where(r => Volatile.Read(ref r.Abandoned)).ToList())
                {
                    batch.Leave(r.Sequence!);
                    _running.Remove(r);
                    r.Output.Writer.TryComplete();
                }
                while (_running.Count + joining.Count < _options.MaxBatch && _waiting.TryDequeue(out Request? r))
                    if (Volatile.Read(ref r.Abandoned))
                        r.Output.Writer.TryComplete();
                    else
                        joining.Add(r);
            }
            foreach (Request r in joining)
                Join(batch, r);
            joining.Clear();
            if (batch.Active.Count > 0)
                Step(batch);
        }
    }

    private void Join(ContinuousBatch batch, Request r)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            lock (_lock)
                r.Sequence = batch.Join(r.Prompt, r.MaxNewTokens, r.Options, r.StopId);
        }
        catch (Exception ex)
        {
            r.Output.Writer.TryComplete(ex);
            return;
        }
        PromptCompleted?.Invoke(new BatchRun(1, r.Prompt.Length, Stopwatch.GetElapsedTime(start)));
        Deliver(r);
        if (r.Sequence.Finish is null)
            lock (_waiting)
                _running.Add(r);
    }

    private void Step(ContinuousBatch batch)
    {
        long start = Stopwatch.GetTimestamp();
        int size = batch.Active.Count;
        try
        {
            lock (_lock)
                batch.Step();
        }
        catch (Exception ex)
        {
            lock (_waiting)
            {
                foreach (Request r in _running)
                {
                    batch.Leave(r.Sequence!);
                    r.Output.Writer.TryComplete(ex);
                }
                _running.Clear();
            }
            return;
        }
        StepCompleted?.Invoke(new BatchRun(size, size, Stopwatch.GetElapsedTime(start)));
        lock (_waiting)
        {
            foreach (Request r in _running)
                Deliver(r);
            _running.RemoveAll(r => r.Sequence!.Finish is not null);
        }
    }

    // Writes the tokens the sequence has that its reader has not seen, then the end when it finished.
    private static void Deliver(Request r)
    {
        GenerationSequence s = r.Sequence!;
        for (; r.Delivered < s.Tokens.Count; r.Delivered++)
            r.Output.Writer.TryWrite(new GeneratedToken(s.Tokens[r.Delivered], null));
        if (s.Finish is FinishReason reason)
        {
            r.Output.Writer.TryWrite(new GeneratedToken(-1, reason));
            r.Output.Writer.TryComplete();
        }
    }

    private sealed class Request(int[] prompt, int maxNewTokens, SamplingOptions options, int? stopId)
    {
        public bool Abandoned;

        public int[] Prompt { get; } = prompt;

        public int MaxNewTokens { get; } = maxNewTokens;

        public SamplingOptions Options { get; } = options;

        public int? StopId { get; } = stopId;

        public GenerationSequence? Sequence { get; set; }

        public int Delivered { get; set; }

        public Channel<GeneratedToken> Output { get; } = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    }
}
