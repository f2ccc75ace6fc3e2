using System.Globalization;
using Attend.Tests.Cli;

namespace Attend.Tests.Distributed;

/// <summary>The MPI binding on two ranks, through the test host: collectives, MPI_Abort, the watchdog, the replica check.</summary>
[Collection(nameof(MpiJob))]
public class MpiBindingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public void Collectives_OnTwoRanks_SumBroadcastAndGatherEveryRanksValues()
    {
        MpiJob.RequireMpirun();
        JobResult job = MpiJob.Run(2, MpiJob.Host, ["collectives"], Limit);

        Assert.True(job.Code == 0, job.All);
        AssertCollectives(job.Out);
    }

    [SkippableFact]
    public void Collectives_OnTwoHostsOverTcp_GiveTheSameResults()
    {
        MpiJob.RequireMpirun();
        string script = Path.Combine(SharedData.RepositoryRoot() ?? "", "bench", "mpi", "two_hosts.sh");
        Skip.If(!File.Exists(script), "bench/mpi/two_hosts.sh is not beside the tests");
        Skip.If(Environment.UserName != "root", "two hosts in network namespaces need root (ip netns, unshare)");
        RunningJob start = MpiJob.StartProcess(script, ["run", MpiJob.Host, "collectives"]);
        JobResult job = start.Wait(Limit);
        Skip.If(job.Code != 0 && job.Err.Contains("netns", StringComparison.Ordinal) && !job.Out.Contains("rank=", StringComparison.Ordinal),
            $"this machine does not allow network namespaces: {job.Err.Trim()}");

        Assert.True(job.Code == 0, job.All);
        string[] hosts = AssertCollectives(job.Out);
        Assert.Equal(["attend-a", "attend-b"], hosts);
    }

    // The two ranks' lines (any order) with every collective's expected result; returns the hosts of ranks 0 and 1.
    private static string[] AssertCollectives(string output)
    {
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, lines.Length);
        long largeSum = 0;
        for (int i = 0; i < 1 << 20; i++)
            largeSum += 2 * (i % 7) + 1;     // rank 0 adds i % 7, rank 1 adds i % 7 + 1
        var hosts = new string[2];
        for (int r = 0; r < 2; r++)
        {
            int at = lines[r].LastIndexOf(" host=", StringComparison.Ordinal);
            Assert.True(at > 0, lines[r]);
            Assert.Equal(string.Create(CultureInfo.InvariantCulture,
                $"rank={r} size=2 small=3,6,1,-1 largeSum={largeSum} doubles=1.5,1E+300 broadcast=3.5,-1,1 text=hello from rank 0 gathered=1,11"), lines[r][..at]);
            hosts[r] = lines[r][(at + " host=".Length)..];
        }
        return hosts;
    }

    [SkippableFact]
    public void GradientBuckets_WithOverlap_AreReducedWhileTheBackwardPassRuns()
    {
        MpiJob.RequireMpirun();
        JobResult job = MpiJob.Run(2, MpiJob.Host, ["overlap"], Limit);

        Assert.True(job.Code == 0, job.All);
        var counts = job.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ').Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]))
            .ToDictionary(d => d["overlap"], d => (Buckets: int.Parse(d["buckets"], CultureInfo.InvariantCulture), Early: int.Parse(d["launched_during_pass"], CultureInfo.InvariantCulture)));
        Assert.True(counts["True"].Buckets > 4, $"{counts["True"].Buckets} buckets");
        // every bucket but those holding the last gradients to be finished (the token embedding, read first) goes early
        Assert.True(counts["True"].Early >= counts["True"].Buckets / 2, $"{counts["True"].Early} of {counts["True"].Buckets} buckets launched during the pass");
        Assert.Equal(0, counts["False"].Early);
    }

    [SkippableFact]
    public void Abort_OnOneRank_EndsTheWholeJobWithinSeconds()
    {
        MpiJob.RequireMpirun();
        JobResult job = MpiJob.Run(2, MpiJob.Host, ["abort"], Limit);

        Assert.NotEqual(0, job.Code);
        Assert.Contains("error: rank 1 of 2", job.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("the barrier returned", job.Out, StringComparison.Ordinal);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(30), $"the job took {job.Elapsed.TotalSeconds:F1} s to end");
    }

    [SkippableFact]
    public void Watchdog_RankThatStopsAnswering_EndsTheJobAfterTheTimeoutWithAMessage()
    {
        MpiJob.RequireMpirun();
        JobResult job = MpiJob.Run(2, MpiJob.Host, ["timeout"], Limit);

        Assert.NotEqual(0, job.Code);
        Assert.Contains("error: rank 0 of 2", job.Err, StringComparison.Ordinal);
        Assert.Contains("in the barrier of the timeout test for the other ranks (timeout 2 s): a rank stopped answering", job.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("the barrier returned", job.Out, StringComparison.Ordinal);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(60), $"the job took {job.Elapsed.TotalSeconds:F1} s to end (rank 1 sleeps 120 s)");
    }

    [SkippableFact]
    public void ReplicaCheck_OneRanksWeightChanged_StopsEveryRankWithOneMessageNamingIt()
    {
        MpiJob.RequireMpirun();
        JobResult job = MpiJob.Run(2, MpiJob.Host, ["diverge"], Limit);

        Assert.Equal(1, job.Code);
        Assert.Contains("error: at step 3 the parameters of rank 1 differ from rank 0's", job.Err, StringComparison.Ordinal);
        Assert.Single(job.Err.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain("MPI_ABORT", job.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("without noticing", job.Out, StringComparison.Ordinal);
    }
}
