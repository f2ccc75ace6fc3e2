using Attend.Kernels;

namespace Attend.Tests.Kernels;

// KernelWorkers runs the parts of the GEMM jobs; these tests check its contract directly.
public class GemmWorkersTests
{
    private sealed class CountingJob(int parts) : KernelJob
    {
        public int[] Runs { get; } = new int[parts];

        public override void Execute(int part) => Interlocked.Increment(ref Runs[part]);
    }

    private sealed class FailingJob : KernelJob
    {
        public override void Execute(int part)
        {
            if (part == 1)
                throw new InvalidOperationException("part 1 failed");
        }
    }

    [Fact]
    public void Run_ManyJobsInARow_RunsEveryPartExactlyOnce()
    {
        for (int round = 0; round < 200; round++)
        {
            var job = new CountingJob(1 + round % 4);
            KernelWorkers.Run(job, job.Runs.Length);
            Assert.All(job.Runs, n => Assert.Equal(1, n));
        }
    }

    private sealed class NestingJob : KernelJob
    {
        public CountingJob Inner { get; } = new(3);

        public override void Execute(int part)
        {
            if (part == 0)
                KernelWorkers.Run(Inner, 3);
        }
    }

    [Fact]
    public void Run_PartRunsAJobItself_BothComplete()
    {
        var job = new NestingJob();
        KernelWorkers.Run(job, 2);
        Assert.All(job.Inner.Runs, n => Assert.Equal(1, n));
    }

    [Fact]
    public void Run_PartThrows_RethrowsToCaller()
    {
        var e = Assert.Throws<InvalidOperationException>(() => KernelWorkers.Run(new FailingJob(), 2));
        Assert.Equal("part 1 failed", e.Message);
    }
}
