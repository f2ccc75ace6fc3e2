using System.Diagnostics;
using Attend.Tests.Cli;

namespace Attend.Tests.Distributed;

/// <summary>What an mpirun job left: its exit code, its output and how long it ran.</summary>
internal sealed record JobResult(int Code, string Out, string Err, TimeSpan Elapsed)
{
    public string All => Out + Err;
}

/// <summary>
/// Starts programs under Open MPI's mpirun, as a user or a container would: as root if we are root, TERM=dumb so .NET
/// writes no terminal codes, more ranks than cores, no binding (the tests share two cores), no wait before SIGKILL, and
/// no single-copy shared memory (containers often forbid the ptrace it needs).
/// </summary>
internal static class MpiJob
{
    private static readonly Lazy<string?> s_mpirun = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "mpirun")).FirstOrDefault(File.Exists));

    /// <summary>The built attend command beside the tests.</summary>
    public static string Cli => Path.Combine(AppContext.BaseDirectory, "Attend.Cli");

    /// <summary>The test host beside the tests.</summary>
    public static string Host => Path.Combine(AppContext.BaseDirectory, "Attend.MpiHost");

    /// <summary>
    /// Skips where Open MPI is not installed on a user's machine; on the project's machines and in CI (which have
    /// ../shared beside the checkout, and where .ci/run installs Open MPI) a missing mpirun is a failure.
    /// </summary>
    public static void RequireMpirun()
    {
        if (s_mpirun.Value is not null)
            return;
        Assert.False(SharedData.Find() is not null, "mpirun is missing on a project machine: .ci/run installs openmpi-bin and libopenmpi-dev");
        Skip.If(true, "Open MPI's mpirun is not installed (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev); the distributed tests need it");
    }

    /// <summary>mpirun's arguments for <paramref name="ranks"/> ranks.</summary>
    public static List<string> Launcher(int ranks)
    {
        var args = new List<string>();
        if (Environment.UserName == "root")
            args.Add("--allow-run-as-root");
        args.AddRange(["-x", "TERM=dumb", "--oversubscribe", "--bind-to", "none",
            "--mca", "odls_base_sigkill_timeout", "0", "--mca", "btl_vader_single_copy_mechanism", "none",
            "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return args;
    }

    /// <summary>Runs <paramref name="program"/> on <paramref name="ranks"/> ranks and waits for the job to end (killing it after <paramref name="timeout"/>).</summary>
    public static JobResult Run(int ranks, string program, IEnumerable<string> args, TimeSpan timeout) =>
        Start([.. Launcher(ranks), program, .. args]).Wait(timeout);

    /// <summary>Starts mpirun with <paramref name="arguments"/> (launcher options, program and its arguments).</summary>
    public static RunningJob Start(IEnumerable<string> arguments) => StartProcess(s_mpirun.Value ?? "mpirun", arguments);

    /// <summary>Starts <paramref name="program"/> (mpirun, or a script that runs it) with its output collected.</summary>
    public static RunningJob StartProcess(string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
            info.ArgumentList.Add(a);
        info.Environment["TERM"] = "dumb";
        return new RunningJob(Process.Start(info) ?? throw new InvalidOperationException("mpirun did not start"));
    }
}

/// <summary>An mpirun job in progress, its output collected as it comes.</summary>
internal sealed class RunningJob
{
    private readonly Process _process;
    private readonly Task<string> _out;
    private readonly Task<string> _err;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public RunningJob(Process process)
    {
        _process = process;
        _out = process.StandardOutput.ReadToEndAsync();
        _err = process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id of rank <paramref name="rank"/>, a child of mpirun (null until it has started).</summary>
    public int? RankProcess(int rank)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (parent != _process.Id)
                    continue;
                string environ = File.ReadAllText(Path.Combine(dir, "environ"));
                if (environ.Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}"))
                    return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // the process ended while we looked
            }
        }
        return null;
    }

    /// <summary>Waits for the end of the job; a job still running after <paramref name="timeout"/> is killed and the test fails.</summary>
    public JobResult Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            Assert.Fail($"the mpirun job did not end within {timeout.TotalSeconds:F0} s; output:\n{_out.Result}\n{_err.Result}");
        }
        _process.WaitForExit();
        var result = new JobResult(_process.ExitCode, _out.Result, _err.Result, _clock.Elapsed);
        _process.Dispose();
        return result;
    }
}
