using Attend.Kernels;

namespace Attend.Tensors;

/// <summary>
/// Runs independent rows on the kernel threads in fixed contiguous chunks, so each row is computed by one thread
/// in the same way whatever the thread count, and results are bit-identical.
/// </summary>
/// <remarks>
/// The body gets what it works on as an explicit state (a tuple of tensors and numbers) instead of capturing it, so a
/// <c>static</c> lambda serves: the compiler caches its delegate, and a call allocates nothing on the managed heap.
/// </remarks>
internal static class RowParallel
{
    private const long MinWorkPerThread = 32_768;

    /// <summary>
    /// Calls <paramref name="body"/>(state, start, end, worker) over [0, rows), worker in [0, <see cref="Workers"/>),
    /// so an operation can rent one scratch buffer per worker on the calling thread before the loop;
    /// <paramref name="workPerRow"/> decides whether threads pay off.
    /// </summary>
    public static void For<TState>(int rows, long workPerRow, TState state, Action<TState, int, int, int> body) =>
        ForWorkers(rows, Workers(rows, workPerRow), state, body);

    /// <summary>
    /// <see cref="For{TState}"/> on exactly <paramref name="threads"/> workers: the count the operation sized its
    /// per-worker scratch with (<see cref="KernelThreads.Count"/> may change in between, on another thread).
    /// </summary>
    public static void ForWorkers<TState>(int rows, int threads, TState state, Action<TState, int, int, int> body)
    {
        if (threads <= 1)
        {
            body(state, 0, rows, 0);
            return;
        }
        RowJob<TState>.Run(rows, threads, state, body);
    }

    /// <summary>The number of workers <see cref="For{TState}"/> uses for these rows (at least 1).</summary>
    public static int Workers(int rows, long workPerRow)
    {
        int threads = (int)Math.Min(KernelThreads.Count, Math.Max(1, rows * Math.Max(1, workPerRow) / MinWorkPerThread));
        return Math.Max(1, Math.Min(threads, rows));
    }

    /// <summary>Part p of a row loop: rows [rows * p / parts, rows * (p + 1) / parts).</summary>
    private sealed class RowJob<TState> : KernelJob
    {
        // One job per thread and state type, reused by every loop; a body that runs RowParallel again on this thread
        // (the cached job is then busy) gets a job of its own.
        [ThreadStatic]
        private static RowJob<TState>? t_cached;

        private Action<TState, int, int, int>? _body;
        private TState _state = default!;
        private int _rows;
        private int _parts;

        public static void Run(int rows, int parts, TState state, Action<TState, int, int, int> body)
        {
            RowJob<TState> job = t_cached is { _body: null } cached ? cached : new RowJob<TState>();
            t_cached ??= job;
            (job._body, job._state, job._rows, job._parts) = (body, state, rows, parts);
            try
            {
                KernelWorkers.Run(job, parts);
            }
            finally
            {
                (job._body, job._state) = (null, default!);
            }
        }

        public override void Execute(int part) =>
            _body!(_state, (int)((long)_rows * part / _parts), (int)((long)_rows * (part + 1) / _parts), part);
    }
}
