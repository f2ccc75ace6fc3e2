using System.Globalization;
using Attend.Distributed;

namespace Attend.Cli.Hosting;

/// <summary>
/// Runs a verb as one rank of a job that <c>mpirun</c> started: rank 0 prints and writes, the other ranks are silent
/// unless they fail. An error every rank raises alike (<see cref="AllRanksException"/>, a bad option) ends all ranks
/// normally with rank 0's message; any other exception is that rank's alone, and it ends the whole job at once
/// (MPI_Abort) after one line naming the rank and the cause, so no rank is left waiting for it.
/// </summary>
internal static class MpiRank
{
    /// <summary>True when mpirun started this process.</summary>
    public static bool IsLaunched => Communicator.IsLaunchedByMpi;

    /// <summary>The kernel threads a rank takes when --threads is not given: its share of the cores it may use.</summary>
    public static int DefaultThreads => Math.Max(1, Environment.ProcessorCount / Communicator.LocalSize);

    /// <summary>Initialises MPI, runs <paramref name="body"/> with the rank's communicator and streams, and finalises.</summary>
    public static int Run(CliContext context, Func<Communicator, CliContext, int> body)
    {
        Communicator communicator;
        try
        {
            communicator = Communicator.World();
        }
        catch (MpiException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        bool root = communicator.Rank == 0;
        TextWriter error = context.Error;
        communicator.Report = line =>
        {
            error.WriteLine(line);
            error.Flush();
        };
        CliContext own = root ? context : new CliContext(context.In, TextWriter.Null, TextWriter.Null);
        int code = 1;
        try
        {
            code = body(communicator, own);
        }
        catch (AllRanksException e)
        {
            if (root)
                error.WriteLine($"error: {e.Message}");
        }
        catch (UsageException) when (!root)
        {
            code = 2;
        }
        catch (UsageException)
        {
            communicator.Dispose();
            throw;
        }
        catch (Exception e)
        {
            // an error that every rank meets (a bad input file) should be reported once: the other ranks give rank 0 a
            // second to report it and end the job first
            if (!root)
                Thread.Sleep(TimeSpan.FromSeconds(1));
            communicator.Report(string.Create(CultureInfo.InvariantCulture, $"error: {communicator.Name}: {Describe(e)}; ending the job"));
            communicator.Abort(1);
        }
        communicator.Dispose();
        return code;
    }

    // The exceptions the CLI reports as one line say all in their message; others (a bug) also name their type.
    private static string Describe(Exception e) => e is CliException or MpiException or IOException or InvalidDataException
        or ArgumentException or InvalidOperationException or UnauthorizedAccessException or FormatException
        ? e.Message
        : $"{e.GetType().Name}: {e.Message}";
}
