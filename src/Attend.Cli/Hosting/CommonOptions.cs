using System.Globalization;

namespace Attend.Cli.Hosting;

/// <summary>Options that several verbs share.</summary>
internal static class CommonOptions
{
    /// <summary>--threads, defaulting to every core of the machine.</summary>
    public static CliOption Threads { get; } =
        new("threads", "Threads for the kernels.", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), ValueName: "T");
}
