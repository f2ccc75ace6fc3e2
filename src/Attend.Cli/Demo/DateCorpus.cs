using System.Globalization;
using Attend.Tensors;

namespace Attend.Cli.Demo;

/// <summary>
/// The demo's translation task, generated in code: a date written in one of many human formats
/// ("Tuesday, 24 November 2026", "24/11/26", "Nov 24 2026", ...) to its ISO 8601 form ("2026-11-24").
/// Numeric forms are day first (24/11/26); two-digit years 69-99 mean 19xx and 00-68 mean 20xx (the POSIX rule).
/// </summary>
internal static class DateCorpus
{
    private static readonly DateOnly First = new(1970, 1, 1);
    private static readonly DateOnly Last = new(2068, 12, 31);

    private static readonly Func<DateOnly, string>[] Formats =
    [
        d => d.ToString("dddd, d MMMM yyyy", CultureInfo.InvariantCulture),
        d => d.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
        d => d.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture),
        d => d.ToString("MMM d yyyy", CultureInfo.InvariantCulture),
        d => d.ToString("d MMM yyyy", CultureInfo.InvariantCulture),
        d => d.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture),
        d => d.ToString("dd/MM/yy", CultureInfo.InvariantCulture),
        d => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
        d => d.ToString("d.M.yyyy", CultureInfo.InvariantCulture),
        d => d.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture),
        d => $"{d.Day}{Suffix(d.Day)} {d.ToString("MMMM yyyy", CultureInfo.InvariantCulture)}",
        d => $"{d.ToString("MMMM", CultureInfo.InvariantCulture)} {d.Day}{Suffix(d.Day)}, {d.Year}",
        d => d.ToString("d MMMM yyyy", CultureInfo.InvariantCulture).ToLowerInvariant(),
        d => d.ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture).ToUpperInvariant(),
    ];

    /// <summary>The number of human formats.</summary>
    public static int FormatCount => Formats.Length;

    /// <summary>A random date in the covered range.</summary>
    public static DateOnly RandomDate(Rng rng) => First.AddDays(rng.NextInt(Last.DayNumber - First.DayNumber + 1));

    /// <summary>The date in human format <paramref name="format"/>.</summary>
    public static string Human(DateOnly date, int format) => Formats[format](date);

    /// <summary>The target: yyyy-MM-dd.</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// <paramref name="count"/> (source, target) pairs whose source strings are all distinct and absent from <paramref name="exclude"/>.
    /// </summary>
    public static List<(string Source, string Target)> Pairs(int count, ulong seed, IReadOnlySet<string>? exclude = null)
    {
        var rng = new Rng(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pairs = new List<(string, string)>(count);
        while (pairs.Count < count)
        {
            DateOnly d = RandomDate(rng);
            string source = Human(d, rng.NextInt(Formats.Length));
            if ((exclude is not null && exclude.Contains(source)) || !seen.Add(source))
                continue;
            pairs.Add((source, Iso(d)));
        }
        return pairs;
    }

    private static string Suffix(int day) => day switch
    {
        1 or 21 or 31 => "st",
        2 or 22 => "nd",
        3 or 23 => "rd",
        _ => "th",
    };
}
