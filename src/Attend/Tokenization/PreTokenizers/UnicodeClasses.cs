using System.Globalization;
using System.Text;

namespace Attend.Tokenization;

/// <summary>The character classes Hugging Face's Rust code tests, on Unicode scalar values.</summary>
internal static class UnicodeClasses
{
    /// <summary>Rust's <c>char::is_whitespace</c> (the White_Space property).</summary>
    public static bool IsWhiteSpace(int c) => c < 0x10000 && char.IsWhiteSpace((char)c);

    /// <summary>Rust's <c>char::is_ascii_punctuation</c> or a Unicode punctuation category (P*).</summary>
    public static bool IsPunctuation(int c)
    {
        if (c < 128)
            return c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~';
        return Rune.GetUnicodeCategory(new Rune(c)) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>Rust's <c>char::is_numeric</c> (Nd, Nl, No).</summary>
    public static bool IsNumeric(int c) => c < 128 ? (uint)(c - '0') <= 9 : Rune.IsNumber(new Rune(c));

    /// <summary>The Rust regex class <c>\w</c>: letters, marks, decimal digits, letter numbers, connector punctuation, joiners.</summary>
    public static bool IsWordCharacter(int c)
    {
        if (c < 128)
            return (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '_';
        if (c is 0x200C or 0x200D)
            return true;
        UnicodeCategory category = Rune.GetUnicodeCategory(new Rune(c));
        return category is <= UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
            or UnicodeCategory.ConnectorPunctuation;
    }

    /// <summary>The code point at <paramref name="i"/> and its length in UTF-16 units (a lone surrogate counts as itself).</summary>
    public static int CodePointAt(ReadOnlySpan<char> text, int i, out int length)
    {
        char c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, text[i + 1]);
        }
        length = 1;
        return c;
    }
}
