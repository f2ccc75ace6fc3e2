using System.Diagnostics;

namespace Attend.Inference;

/// <summary>
/// Dynamic batching: inputs submitted from any thread wait in a queue; a dedicated thread takes the first one, waits at
/// most <see cref="BatchingOptions.MaxWait"/> for others (up to <see cref="BatchingOptions.MaxBatch"/>), and runs them
/// all in one call of the batch function, whose cost grows far slower than the number of inputs. Inputs whose caller has
/// given up are dropped before the batch runs.
/// </summary>
public sealed class DynamicBatcher<TItem, TResult> : IDisposable
{
    private readonly Func<IReadOnlyList<TItem>, IReadOnlyList<TResult>> _run;
    private readonly BatchingOptions _options;
    private readonly Queue<Entry> _queue = new();
    private readonly object _lock = new();
    private readonly Func<TItem, int>? _tokens;
    private readonly Thread _thread;
    private bool _stopping;

    /// <summary>
    /// Starts the batching thread; <paramref name="run"/> maps a batch of inputs to one result each, in order, and
    /// <paramref name="tokens"/> (when given) counts an input's tokens for <see cref="BatchRun.Tokens"/>.
    /// </summary>
    public DynamicBatcher(Func<IReadOnlyList<TItem>, IReadOnlyList<TResult>> run, BatchingOptions options, string name, Func<TItem, int>? tokens = null)
    {
        _run = run;
        _tokens = tokens;
        _options = options.Validate();
        _thread = new Thread(Loop) { IsBackground = true, Name = $"attend-batch-{name}" };
        _thread.Start();
    }

    /// <summary>Called on the batching thread after every batch.</summary>
    public event Action<BatchRun>? BatchCompleted;

    /// <summary>Inputs waiting for a batch.</summary>
    public int QueueLength
    {
        get
        {
            lock (_lock)
                return _queue.Count;
        }
    }

    /// <summary>Queues <paramref name="items"/> together (all or none: <see cref="QueueFullException"/> when they do not fit) and returns their results in order.</summary>
    public Task<TResult[]> SubmitAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken = default)
    {
        var entries = new Entry[items.Count];
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_queue.Count + items.Count > _options.MaxQueue)
                throw new QueueFullException(_options.MaxQueue);
            for (int i = 0; i < items.Count; i++)
            {
                entries[i] = new Entry(items[i], cancellationToken);
                _queue.Enqueue(entries[i]);
            }
            Monitor.PulseAll(_lock);
        }
        return Task.WhenAll(entries.Select(e => e.Result.Task));
    }

    /// <summary>Stops taking inputs, lets the queued ones run, and ends the thread.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }
        _thread.Join();
    }

    private void Loop()
    {
        var batch = new List<Entry>(_options.MaxBatch);
        while (true)
        {
            lock (_lock)
            {
                while (_queue.Count == 0 && !_stopping)
                    Monitor.Wait(_lock);
                if (_queue.Count == 0)
                    return;
                long deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxWait.TotalSeconds * Stopwatch.Frequency);
                while (_queue.Count < _options.MaxBatch && !_stopping)
                {
                    long left = deadline - Stopwatch.GetTimestamp();
                    if (left <= 0)
                        break;
                    Monitor.Wait(_lock, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
                }
                while (batch.Count < _options.MaxBatch && _queue.TryDequeue(out Entry? e))
                    if (!e.Cancel.IsCancellationRequested)
                        batch.Add(e);
                    else
                        e.Result.TrySetCanceled(e.Cancel);
            }
            if (batch.Count > 0)
                RunBatch(batch);
            batch.Clear();
        }
    }

    private void RunBatch(List<Entry> batch)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            IReadOnlyList<TResult> results = _run(batch.Select(e => e.Item).ToList());
            if (results.Count != batch.Count)
                throw new InvalidOperationException($"DynamicBatcher: {results.Count} results for {batch.Count} inputs");
            for (int i = 0; i < batch.Count; i++)
                batch[i].Result.TrySetResult(results[i]);
        }
        catch (Exception ex)
        {
            foreach (Entry e in batch)
                e.Result.TrySetException(ex);
        }
        BatchCompleted?.Invoke(new BatchRun(batch.Count, _tokens is null ? 0 : batch.Sum(e => _tokens(e.Item)), Stopwatch.GetElapsedTime(start)));
    }

    private sealed class Entry(TItem item, CancellationToken cancel)
    {
        public TItem Item { get; } = item;

        public CancellationToken Cancel { get; } = cancel;

        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
