namespace Attend.Inference;

/// <summary>How requests for one model are gathered into batches.</summary>
public sealed record BatchingOptions
{
    /// <summary>The most inputs run in one pass (for generation: the most sequences in the running batch); 1 turns batching off.</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>How long the first input of a batch waits for others to join it before the batch runs.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The most inputs that may wait for a batch; one more is refused with <see cref="QueueFullException"/>.</summary>
    public int MaxQueue { get; init; } = 1024;

    /// <summary>Checks the values.</summary>
    public BatchingOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatch, 1, nameof(MaxBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueue, 1, nameof(MaxQueue));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWait, TimeSpan.Zero, nameof(MaxWait));
        return this;
    }
}

/// <summary>What one pass of a model did: how many inputs (or sequences) it ran, how many tokens it read or produced, and how long it took.</summary>
public readonly record struct BatchRun(int Size, int Tokens, TimeSpan Elapsed);

/// <summary>Thrown when a request arrives while <see cref="BatchingOptions.MaxQueue"/> inputs already wait: the caller should retry later.</summary>
public sealed class QueueFullException : InvalidOperationException
{
    /// <summary>The queue of <paramref name="limit"/> inputs is full.</summary>
    public QueueFullException(int limit) : base($"the model's queue is full ({limit} inputs wait); retry later") => Limit = limit;

    /// <summary>Required by the exception pattern.</summary>
    public QueueFullException() : this(0)
    {
    }

    /// <summary>Required by the exception pattern.</summary>
    public QueueFullException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Required by the exception pattern.</summary>
    public QueueFullException(string message) : base(message)
    {
    }

    /// <summary>The queue's limit.</summary>
    public int Limit { get; }
}
