using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Attend.Kernels;

/// <summary>
/// Persistent background threads that help run the parts of a <see cref="KernelJob"/>. The caller and the workers claim
/// parts from a shared counter until none is left, so a worker that the operating system has not scheduled yet (the
/// machine is shared) costs nothing: the caller runs its part too. Results do not depend on who runs a part, because
/// the parts are fixed by the job. A worker keeps looking for work briefly after each job (yielding the processor)
/// before it blocks, because back-to-back kernel calls are the common case and waking a blocked thread costs tens of
/// microseconds. One job runs at a time; a caller that finds the workers busy (another thread, or a kernel called from
/// inside a part) runs every part itself.
/// </summary>
internal static class KernelWorkers
{
    private const int PartBits = 16;
    private const long PartMask = (1L << PartBits) - 1;

    private static readonly Lock Gate = new();
    private static readonly List<Worker> Workers = [];
    private static KernelJob? _job;
    // The job's generation (bits 32..63), its part count (bits 16..31) and the next unclaimed part (bits 0..15), in one
    // word so a claim is a single compare-and-swap that cannot mix parts of two jobs.
    private static long _state;
    private static int _done;
    private static int _generation;
    private static Exception? _failure;
    private static long _wakeups;

    /// <summary>
    /// How many times a worker had gone to sleep and had to be woken (each costs tens of microseconds and, on a busy
    /// machine, a trip through the scheduler); a steady stream of kernel calls keeps this near zero.
    /// </summary>
    public static long Wakeups => Interlocked.Read(ref _wakeups);

    /// <summary>Runs parts 0 .. parts-1 of <paramref name="job"/> and returns when all are done; rethrows the first failure.</summary>
    public static void Run(KernelJob job, int parts)
    {
        // Lock is reentrant, so a part that calls back in on the caller's thread must be caught before TryEnter.
        if (parts <= 1 || parts > PartMask || Gate.IsHeldByCurrentThread || !Gate.TryEnter())
        {
            for (int p = 0; p < parts; p++)
                job.Execute(p);
            return;
        }
        try
        {
            while (Workers.Count < parts - 1)
                Workers.Add(new Worker(Workers.Count));
            _job = job;
            _failure = null;
            Volatile.Write(ref _done, 0);
            _generation++;
            Interlocked.Exchange(ref _state, ((long)_generation << 32) | ((long)parts << PartBits));
            for (int w = 0; w < parts - 1; w++)
                Workers[w].Wake();
            RunClaimedParts();
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) != parts)
                spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            if (_failure is not null)
                ExceptionDispatchInfo.Capture(_failure).Throw();
        }
        finally
        {
            Gate.Exit();
        }
    }

    // True when the current job has a part nobody has claimed.
    private static bool HasUnclaimedPart()
    {
        long state = Volatile.Read(ref _state);
        return (state & PartMask) < ((state >> PartBits) & PartMask);
    }

    // Claims and runs parts of the current job until none is left.
    private static void RunClaimedParts()
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            long next = state & PartMask, parts = (state >> PartBits) & PartMask;
            if (next >= parts)
                return;
            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state)
                continue;
            // The job cannot change before this part is done: Run waits for every part it handed out.
            try
            {
                _job!.Execute((int)next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            Interlocked.Increment(ref _done);
        }
    }

    private sealed class Worker
    {
        private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 microseconds

        private readonly ManualResetEventSlim _wake = new(false, 0);
        private int _sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Attend kernel worker {index + 1}" };
            thread.Start();
        }

        public void Wake()
        {
            // Run published the job with a full fence (Interlocked.Exchange) before this read.
            if (Volatile.Read(ref _sleeping) != 0)
            {
                Interlocked.Increment(ref _wakeups);
                _wake.Set();
            }
        }

        private void Loop()
        {
            while (true)
            {
                WaitForWork();
                RunClaimedParts();
            }
        }

        private void WaitForWork()
        {
            long start = Stopwatch.GetTimestamp();
            while (!HasUnclaimedPart())
            {
                if (Stopwatch.GetTimestamp() - start < SpinTicks)
                {
                    // Yield rather than spin in place: where another process keeps a core busy, the scheduler may put
                    // the caller on this worker's core, and a worker that spins there takes the time slices the caller
                    // needs to publish the next job; an idle core returns from the yield at once.
                    Thread.Yield();
                    continue;
                }
                // Announce the sleep, then look once more: Run publishes the job before it reads the flag, so one of
                // the two sides sees the other and the wake-up cannot be lost.
                _wake.Reset();
                Volatile.Write(ref _sleeping, 1);
                Interlocked.MemoryBarrier();
                if (!HasUnclaimedPart())
                    _wake.Wait();
                Volatile.Write(ref _sleeping, 0);
                start = Stopwatch.GetTimestamp();
            }
        }
    }
}
