using System.Globalization;
using System.Runtime.CompilerServices;

namespace Attend.Tokenization;

/// <summary>
/// GPT-2's split pattern <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c> written
/// out by hand: the same matches as .NET's Regex (UTF-16 code units, <c>\s</c> = char.IsWhiteSpace), without the
/// regex engine's per-match overhead. Tests compare it with the regex on random strings.
/// </summary>
internal static class Gpt2PreTokenizer
{
    private const int Other = 0, Letter = 1, Number = 2, Space = 3;

    /// <summary>The length of the pre-token starting at <paramref name="start"/> (which is inside the text).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int NextLength(ReadOnlySpan<char> text, int start)
    {
        int n = text.Length;
        char c = text[start];
        if (c == '\'' && start + 1 < n)
        {
            char d = text[start + 1];
            if (d is 's' or 't' or 'm' or 'd')
                return 2;
            if (start + 2 < n)
            {
                char e = text[start + 2];
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l'))
                    return 3;
            }
        }
        int kind = Kind(c);
        int i = start;
        if (c == ' ' && start + 1 < n)
        {
            int next = Kind(text[start + 1]);
            if (next != Space)
            {
                kind = next;
                i++;
            }
        }
        if (kind != Space)
        {
            i++;
            while (i < n && Kind(text[i]) == kind)
                i++;
            return i - start;
        }
        int end = start + 1;
        while (end < n && char.IsWhiteSpace(text[end]))
            end++;
        // \s+(?!\S): at the end of the text take the whole run; before a non-space leave its last character to
        // go with the next word, unless the run is a single character (then \s+ takes it).
        if (end == n || end - start == 1)
            return end - start;
        return end - start - 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Kind(char c)
    {
        if (c < 128)
        {
            if ((uint)((c | 0x20) - 'a') <= 'z' - 'a')
                return Letter;
            if ((uint)(c - '0') <= 9)
                return Number;
            return c == ' ' || (uint)(c - '\t') <= '\r' - '\t' ? Space : Other;
        }
        UnicodeCategory category = char.GetUnicodeCategory(c);
        if (category <= UnicodeCategory.OtherLetter)
            return Letter;
        if (category is >= UnicodeCategory.DecimalDigitNumber and <= UnicodeCategory.OtherNumber)
            return Number;
        return char.IsWhiteSpace(c) ? Space : Other;
    }
}
