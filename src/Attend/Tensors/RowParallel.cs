using Attend.Kernels;

namespace Attend.Tensors;

/// <summary>
/// Runs independent rows on the kernel threads in fixed contiguous chunks, so each row is computed by one thread
/// in the same way whatever the thread count, and results are bit-identical.
/// </summary>
internal static class RowParallel
{
    private const long MinWorkPerThread = 32_768;

    [ThreadStatic]
    private static RowJob? t_job;

    /// <summary>Calls <paramref name="body"/>(start, end) over [0, rows); <paramref name="workPerRow"/> decides whether threads pay off.</summary>
    public static void For(int rows, long workPerRow, Action<int, int> body) =>
        For(rows, workPerRow, (start, end, _) => body(start, end));

    /// <summary>
    /// As <see cref="For(int, long, Action{int, int})"/>, also passing the worker's index in [0, <see cref="Workers"/>),
    /// so an operation can rent one scratch buffer per worker on the calling thread before the loop.
    /// </summary>
    public static void For(int rows, long workPerRow, Action<int, int, int> body)
    {
        int threads = Workers(rows, workPerRow);
        if (threads <= 1)
        {
            body(0, rows, 0);
            return;
        }
        // The kernels' persistent workers run the parts (no thread-pool task or closure per call); a body that runs
        // RowParallel again on this thread gets a job of its own.
        RowJob job = t_job is { Body: null } cached ? cached : new RowJob();
        t_job ??= job;
        (job.Body, job.Rows, job.Parts) = (body, rows, threads);
        try
        {
            KernelWorkers.Run(job, threads);
        }
        finally
        {
            job.Body = null;
        }
    }

    /// <summary>The number of workers <see cref="For(int, long, Action{int, int, int})"/> uses for these rows (at least 1).</summary>
    public static int Workers(int rows, long workPerRow)
    {
        int threads = (int)Math.Min(KernelThreads.Count, Math.Max(1, rows * Math.Max(1, workPerRow) / MinWorkPerThread));
        return Math.Max(1, Math.Min(threads, rows));
    }

    /// <summary>Part p of a row loop: rows [rows * p / parts, rows * (p + 1) / parts).</summary>
    private sealed class RowJob : KernelJob
    {
        public Action<int, int, int>? Body;
        public int Rows;
        public int Parts;

        public override void Execute(int part) =>
            Body!((int)((long)Rows * part / Parts), (int)((long)Rows * (part + 1) / Parts), part);
    }
}
