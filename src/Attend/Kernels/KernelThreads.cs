namespace Attend.Kernels;

/// <summary>How many threads the kernels may use. Fixed partitioning keeps results bit-identical for a given count.</summary>
public static class KernelThreads
{
    private static int _count = Math.Clamp(Environment.ProcessorCount, 1, 64);

    /// <summary>The number of threads, at least 1; defaults to the processor count.</summary>
    public static int Count
    {
        get => _count;
        set => _count = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least one thread");
    }

    /// <summary>How many times a sleeping kernel worker has been woken since the process started.</summary>
    public static long WorkerWakeups => KernelWorkers.Wakeups;
}
