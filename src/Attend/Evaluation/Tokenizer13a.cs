using System.Text;
using System.Text.RegularExpressions;

namespace Attend.Evaluation;

/// <summary>
/// sacreBLEU's default "13a" tokenization (mteval-v13a): drop &lt;skipped&gt;, join "-\n", unescape &amp;quot; &amp;amp; &amp;lt; &amp;gt;,
/// split off punctuation and symbols, periods and commas unless between digits, and a dash after a digit; collapse spaces.
/// </summary>
public static partial class Tokenizer13a
{
    /// <summary>The tokenized line, tokens separated by single spaces.</summary>
    public static string Tokenize(string line)
    {
        line = line.Replace("<skipped>", "", StringComparison.Ordinal).Replace("-\n", "", StringComparison.Ordinal).Replace('\n', ' ');
        if (line.Contains('&', StringComparison.Ordinal))
        {
            line = line.Replace("&quot;", "\"", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal)
                .Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal);
        }
        line = " " + line + " ";
        line = Symbols().Replace(line, " $1 ");
        line = PeriodCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        var sb = new StringBuilder(line.Length);
        foreach (string token in line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (sb.Length > 0)
                sb.Append(' ');
            sb.Append(token);
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"([\{-\~\[-\` -\&\(-\+\:-\@\/])")]
    private static partial Regex Symbols();

    [GeneratedRegex(@"([^0-9])([\.,])")]
    private static partial Regex PeriodCommaAfterNonDigit();

    [GeneratedRegex(@"([\.,])([^0-9])")]
    private static partial Regex PeriodCommaBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)")]
    private static partial Regex DashAfterDigit();
}
