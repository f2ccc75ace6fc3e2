namespace Attend.Cli.Hosting;

/// <summary>Where a verb reads and writes, so tests can run verbs in-process.</summary>
internal sealed record CliContext(TextReader In, TextWriter Out, TextWriter Error)
{
    public static CliContext Console => new(System.Console.In, System.Console.Out, System.Console.Error);
}
