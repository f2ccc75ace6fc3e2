using System.Text;
using System.Text.RegularExpressions;
using Attend.Tokenization;
using FsCheck.Xunit;

namespace Attend.Tests.Tokenization;

public class Gpt2PreTokenizerTests
{
    private static readonly Regex Gpt2Regex = new(PreTokenizer.Gpt2Pattern, RegexOptions.CultureInvariant);

    // Characters where the pattern's alternatives meet: apostrophes and contraction letters, spaces and other
    // whitespace, letters and digits of several scripts, punctuation, surrogate pairs, NBSP and U+0085.
    private const string Tricky = " \t\n\r\u000b\u000c\u0085\u00a0\u2028\u3000'srtvemldSxA1٣½Ⅻ!?.-_é日😀\u0301\0";

    private static string[] Regex(string text) => Gpt2Regex.Matches(text).Select(m => m.Value).ToArray();

    private static string[] HandWritten(string text)
    {
        var pieces = new List<string>();
        foreach ((int start, int length) in PreTokenizer.Gpt2.Split(text))
            pieces.Add(text.Substring(start, length));
        return pieces.ToArray();
    }

    [Property(MaxTest = 1000)]
    public bool TrickyStrings_MatchTheRegex(int[] picks)
    {
        var sb = new StringBuilder();
        foreach (int p in picks)
            sb.Append(Tricky[(int)((uint)p % (uint)Tricky.Length)]);
        string text = sb.ToString();
        return Regex(text).SequenceEqual(HandWritten(text));
    }

    [Property(MaxTest = 300)]
    public bool RandomUnicode_MatchesTheRegex(int[] values)
    {
        string text = RoundTripProperties.FromInts(values);
        return Regex(text).SequenceEqual(HandWritten(text));
    }

    [Fact]
    public void MultilingualText_MatchesTheRegex()
    {
        Assert.Equal(Regex(TokenizerTestData.Multilingual), HandWritten(TokenizerTestData.Multilingual));
    }
}
