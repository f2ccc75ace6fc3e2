namespace Attend.Cli.Hosting;

/// <summary>One option of a verb: <c>--name VALUE</c>, or a flag when <see cref="IsFlag"/>.</summary>
/// <param name="Name">The long name without dashes.</param>
/// <param name="Description">One line for the help.</param>
/// <param name="Default">The value used when the option is absent (shown in the help), or null.</param>
/// <param name="IsFlag">True for a switch that takes no value.</param>
/// <param name="IsMultiple">True when the option takes one or more values (<c>--input a b c</c>).</param>
/// <param name="ValueName">The placeholder shown in the help.</param>
internal sealed record CliOption(
    string Name,
    string Description,
    string? Default = null,
    bool IsFlag = false,
    bool IsMultiple = false,
    string ValueName = "VALUE");
