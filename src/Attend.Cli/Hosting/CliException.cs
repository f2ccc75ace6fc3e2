namespace Attend.Cli.Hosting;

/// <summary>A problem with what the user asked for: printed as one line, exit code 1, no stack trace.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message) : base(message) { }

    public CliException(string message, Exception inner) : base(message, inner) { }

    public CliException() { }
}

/// <summary>A command line that does not parse: the help of the verb is printed, exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }

    public UsageException(string message, Exception inner) : base(message, inner) { }

    public UsageException() { }
}
