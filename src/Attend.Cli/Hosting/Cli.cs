using System.Reflection;
using System.Text;

namespace Attend.Cli.Hosting;

/// <summary>Finds the verb named by the leading words, parses its options and runs it with clean error handling.</summary>
internal static class Cli
{
    public static int Run(IReadOnlyList<string> args, CliContext context, IReadOnlyList<CliCommand> commands)
    {
        if (args.Count == 1 && args[0] == "--version")
        {
            context.Out.WriteLine(Version);
            return 0;
        }

        int depth = 0;
        while (depth < args.Count && !args[depth].StartsWith("--", StringComparison.Ordinal)
               && commands.Any(c => StartsWith(c.Path, args, depth + 1)))
            depth++;

        CliCommand? command = commands.FirstOrDefault(c => c.Path.Count == depth && StartsWith(c.Path, args, depth));
        var rest = args.Skip(depth).ToList();
        bool askedHelp = rest.Contains("--help") || rest.Contains("-h");

        if (command is null)
        {
            bool unknownWord = depth < args.Count && !args[depth].StartsWith("--", StringComparison.Ordinal);
            TextWriter writer = askedHelp ? context.Out : context.Error;
            if (unknownWord)
                writer.WriteLine($"error: unknown verb '{string.Join(' ', args.Take(depth + 1))}'");
            else if (!askedHelp && depth == 0 && args.Count > 0)
                writer.WriteLine($"error: unknown option '{args[0]}'");
            writer.Write(GroupHelp(args.Take(depth).ToList(), commands));
            return askedHelp ? 0 : 2;
        }

        if (askedHelp)
        {
            context.Out.Write(CommandHelp(command));
            return 0;
        }

        try
        {
            ParsedArgs parsed = ParsedArgs.Parse(rest, command.Options);
            return command.Execute(parsed, context);
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            context.Error.Write(CommandHelp(command));
            return 2;
        }
        catch (Exception e) when (e is CliException or IOException or InvalidDataException or ArgumentException
                                      or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            context.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static string Version =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    private static bool StartsWith(IReadOnlyList<string> path, IReadOnlyList<string> args, int count)
    {
        if (path.Count < count || args.Count < count)
            return false;
        for (int i = 0; i < count; i++)
            if (path[i] != args[i])
                return false;
        return true;
    }

    private static string GroupHelp(IReadOnlyList<string> prefix, IReadOnlyList<CliCommand> commands)
    {
        var sb = new StringBuilder();
        string head = prefix.Count == 0 ? "attend" : "attend " + string.Join(' ', prefix);
        sb.AppendLine($"Usage: {head} <verb> [options]");
        sb.AppendLine();
        sb.AppendLine("Verbs:");
        var shown = commands.Where(c => StartsWith(c.Path, prefix, prefix.Count)).ToList();
        int width = shown.Count == 0 ? 0 : shown.Max(c => string.Join(' ', c.Path).Length);
        foreach (CliCommand c in shown)
            sb.AppendLine($"  {string.Join(' ', c.Path).PadRight(width)}  {c.Summary}");
        sb.AppendLine();
        sb.AppendLine($"Run '{head} <verb> --help' for the options of a verb; 'attend --version' prints the version.");
        return sb.ToString();
    }

    public static string CommandHelp(CliCommand command)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Usage: attend {string.Join(' ', command.Path)} [options]");
        sb.AppendLine();
        sb.AppendLine(command.Summary);
        sb.AppendLine();
        sb.AppendLine("Options:");
        var rows = command.Options
            .Select(o => (Left: o.IsFlag ? $"--{o.Name}" : $"--{o.Name} {o.ValueName}{(o.IsMultiple ? "..." : "")}", o))
            .Append((Left: "--help", o: new CliOption("help", "Show this help.", IsFlag: true)))
            .ToList();
        int width = rows.Max(r => r.Left.Length);
        foreach ((string left, CliOption o) in rows)
        {
            string dflt = o.Default is null || o.IsFlag ? "" : $" (default: {o.Default})";
            sb.AppendLine($"  {left.PadRight(width)}  {o.Description}{dflt}");
        }
        return sb.ToString();
    }
}
