using Attend.Kernels;

namespace Attend.Tensors;

/// <summary>
/// Runs independent rows on the kernel threads in fixed contiguous chunks, so each row is computed by one thread
/// in the same way whatever the thread count, and results are bit-identical.
/// </summary>
internal static class RowParallel
{
    private const long MinWorkPerThread = 32_768;

    /// <summary>Calls <paramref name="body"/>(start, end) over [0, rows); <paramref name="workPerRow"/> decides whether threads pay off.</summary>
    public static void For(int rows, long workPerRow, Action<int, int> body)
    {
        int threads = (int)Math.Min(KernelThreads.Count, Math.Max(1, rows * Math.Max(1, workPerRow) / MinWorkPerThread));
        threads = Math.Min(threads, rows);
        if (threads <= 1)
        {
            body(0, rows);
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int start = (int)((long)rows * t / threads), end = (int)((long)rows * (t + 1) / threads);
            body(start, end);
        });
    }
}
