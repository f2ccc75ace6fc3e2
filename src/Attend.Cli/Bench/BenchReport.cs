using System.Globalization;
using System.Text;

namespace Attend.Cli.Bench;

/// <summary>Median timing, peak memory and the one-line JSON result shared by the bench verbs.</summary>
internal static class BenchReport
{
    /// <summary>
    /// OpenBLAS sgemm GFLOP/s at n = 1024 measured on this machine (numpy, AMD EPYC Zen 3): 92 on one thread, 182 on
    /// two (notes/performance.md). Used for the MFU when --peak-gflops is not given; more threads scale linearly.
    /// </summary>
    public static double DefaultPeakGflops(int threads) => threads == 1 ? 92 : 91 * threads;

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values", nameof(values));
        double[] sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The process's peak resident set in MiB: VmHWM from /proc/self/status, else the runtime's peak working set.</summary>
    public static double PeakMemoryMb()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (string line in File.ReadLines(status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    string kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        return Environment.WorkingSet / (1024.0 * 1024.0);
    }

    /// <summary>One JSON object on one line; numbers use the invariant culture.</summary>
    public static string Json(IEnumerable<(string Key, object Value)> fields)
    {
        var sb = new StringBuilder("{");
        foreach ((string key, object value) in fields)
        {
            if (sb.Length > 1)
                sb.Append(',');
            sb.Append('"').Append(key).Append("\":");
            sb.Append(value switch
            {
                string s => "\"" + s + "\"",
                bool b => b ? "true" : "false",
                double d => d.ToString("0.####", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            });
        }
        return sb.Append('}').ToString();
    }
}
