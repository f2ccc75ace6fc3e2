using System.Globalization;

namespace Attend.Cli.Hosting;

/// <summary>The options a verb was given, checked against its declared options.</summary>
internal sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values;
    private readonly IReadOnlyList<CliOption> _options;

    private ParsedArgs(Dictionary<string, List<string>> values, IReadOnlyList<CliOption> options, IReadOnlyList<string> raw)
    {
        _values = values;
        _options = options;
        Raw = raw;
    }

    /// <summary>The arguments as given.</summary>
    public IReadOnlyList<string> Raw { get; }

    /// <summary>The options of the verb these arguments were checked against.</summary>
    public IReadOnlyList<CliOption> Declared => _options;

    /// <summary>Parses <paramref name="args"/>; unknown options and missing values throw <see cref="UsageException"/>.</summary>
    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<CliOption> options)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}'");
            string name = arg[2..];
            string? inline = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }
            CliOption option = options.FirstOrDefault(o => o.Name == name)
                ?? throw new UsageException($"unknown option '--{name}'");
            if (!values.TryGetValue(name, out List<string>? list))
                values[name] = list = [];
            else if (!option.IsMultiple)
                throw new UsageException($"option '--{name}' is given more than once");
            if (option.IsFlag)
            {
                if (inline is not null)
                    throw new UsageException($"option '--{name}' takes no value");
                list.Add("true");
                continue;
            }
            if (inline is not null)
            {
                list.Add(inline);
                continue;
            }
            int taken = 0;
            while (i + 1 < args.Count && !(args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
            {
                list.Add(args[++i]);
                taken++;
                if (!option.IsMultiple)
                    break;
            }
            if (taken == 0)
                throw new UsageException($"option '--{name}' needs a value ({option.ValueName})");
        }
        return new ParsedArgs(values, options, [.. args]);
    }

    /// <summary>True when the option was given on the command line.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>True when the flag was given.</summary>
    public bool Flag(string name) => _values.ContainsKey(name);

    /// <summary>The value given, else the declared default, else null.</summary>
    public string? Get(string name)
    {
        if (_values.TryGetValue(name, out List<string>? list))
            return list[0];
        return DeclaredOption(name).Default;
    }

    /// <summary>The value given or defaulted; a missing one throws <see cref="UsageException"/>.</summary>
    public string Required(string name) =>
        Get(name) ?? throw new UsageException($"option '--{name}' is required");

    /// <summary>All values of a multi-valued option, in order.</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        if (_values.TryGetValue(name, out List<string>? list))
            return list;
        string? d = DeclaredOption(name).Default;
        return d is null ? [] : [d];
    }

    public int GetInt(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        string text = Required(name);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new UsageException($"option '--{name}' expects an integer, got '{text}'");
        if (value < min || value > max)
            throw new UsageException($"option '--{name}' must be between {min} and {max}, got {value}");
        return value;
    }

    public int? GetIntOrNull(string name, int min = int.MinValue, int max = int.MaxValue) =>
        Get(name) is null ? null : GetInt(name, min, max);

    public double GetDouble(string name, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        string text = Required(name);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value))
            throw new UsageException($"option '--{name}' expects a number, got '{text}'");
        if (value < min || value > max)
            throw new UsageException($"option '--{name}' must be between {min} and {max}, got {value}");
        return value;
    }

    public double? GetDoubleOrNull(string name, double min = double.NegativeInfinity, double max = double.PositiveInfinity) =>
        Get(name) is null ? null : GetDouble(name, min, max);

    private CliOption DeclaredOption(string name) =>
        _options.FirstOrDefault(o => o.Name == name)
        ?? throw new InvalidOperationException($"option '--{name}' is not declared by this verb");
}
