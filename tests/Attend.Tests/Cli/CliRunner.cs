using Attend.Cli.Commands;
using Attend.Cli.Hosting;

namespace Attend.Tests.Cli;

/// <summary>Runs the attend command in-process with its standard streams captured.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Attend.Cli.Hosting.Cli.Run(args, new CliContext(new StringReader(stdin), stdout, stderr), CommandRegistry.All);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
