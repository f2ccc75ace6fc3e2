namespace Attend.Cli.Hosting;

/// <summary>One verb of the <c>attend</c> command, such as <c>tokenizer train</c>.</summary>
internal abstract class CliCommand
{
    /// <summary>The words that select this verb, e.g. <c>["tokenizer", "train"]</c>.</summary>
    public abstract IReadOnlyList<string> Path { get; }

    /// <summary>One line for the help.</summary>
    public abstract string Summary { get; }

    /// <summary>The options this verb accepts; anything else is an error.</summary>
    public abstract IReadOnlyList<CliOption> Options { get; }

    /// <summary>Runs the verb and returns the process exit code.</summary>
    public abstract int Execute(ParsedArgs args, CliContext context);
}
