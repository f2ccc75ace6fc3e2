using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Attend.Kernels;

/// <summary>
/// Persistent background threads that run the parts of a <see cref="KernelJob"/>: the caller runs part 0, worker w
/// runs part w + 1. A worker spins briefly after each job before it blocks, because back-to-back kernel calls are the
/// common case and waking a blocked thread costs tens of microseconds. One job runs at a time; a caller that finds the
/// workers busy (another thread, or a kernel called from inside a part) runs every part itself, which gives the same
/// results because parts are fixed by the job, not by who runs them.
/// </summary>
internal static class KernelWorkers
{
    private static readonly Lock Gate = new();
    private static readonly List<Worker> Workers = [];
    private static int _pending;

    /// <summary>Runs parts 0 .. parts-1 of <paramref name="job"/> and returns when all are done; rethrows the first failure.</summary>
    public static void Run(KernelJob job, int parts)
    {
        if (parts <= 1 || !Gate.TryEnter())
        {
            for (int p = 0; p < parts; p++)
                job.Execute(p);
            return;
        }
        try
        {
            while (Workers.Count < parts - 1)
                Workers.Add(new Worker(Workers.Count));
            Volatile.Write(ref _pending, parts - 1);
            for (int w = 0; w < parts - 1; w++)
                Workers[w].Start(job, w + 1);
            Exception? failure = null;
            try
            {
                job.Execute(0);
            }
            catch (Exception e)
            {
                failure = e;
            }
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0)
                spin.SpinOnce(sleep1Threshold: -1);
            for (int w = 0; w < parts - 1; w++)
                failure ??= Workers[w].TakeFailure();
            if (failure is not null)
                ExceptionDispatchInfo.Capture(failure).Throw();
        }
        finally
        {
            Gate.Exit();
        }
    }

    private sealed class Worker
    {
        private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 microseconds

        private readonly ManualResetEventSlim _wake = new(false, 0);
        private KernelJob? _job;
        private int _part;
        private int _sleeping;
        private Exception? _failure;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Attend kernel worker {index + 1}" };
            thread.Start();
        }

        public void Start(KernelJob job, int part)
        {
            _part = part;
            Volatile.Write(ref _job, job);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _sleeping) != 0)
                _wake.Set();
        }

        public Exception? TakeFailure()
        {
            Exception? failure = _failure;
            _failure = null;
            return failure;
        }

        private void Loop()
        {
            while (true)
            {
                KernelJob job = WaitForJob();
                try
                {
                    job.Execute(_part);
                }
                catch (Exception e)
                {
                    _failure = e;
                }
                Volatile.Write(ref _job, null);
                Interlocked.Decrement(ref _pending);
            }
        }

        private KernelJob WaitForJob()
        {
            long start = Stopwatch.GetTimestamp();
            while (true)
            {
                KernelJob? job = Volatile.Read(ref _job);
                if (job is not null)
                    return job;
                if (Stopwatch.GetTimestamp() - start < SpinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                // Announce the sleep, then look once more: Start writes the job before it reads the flag, so one of
                // the two sides sees the other and the wake-up cannot be lost.
                _wake.Reset();
                Volatile.Write(ref _sleeping, 1);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _job) is null)
                    _wake.Wait();
                Volatile.Write(ref _sleeping, 0);
                start = Stopwatch.GetTimestamp();
            }
        }
    }
}
