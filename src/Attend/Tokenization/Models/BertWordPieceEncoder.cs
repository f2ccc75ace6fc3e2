using System.Text;

namespace Attend.Tokenization;

/// <summary>
/// BertNormalizer, BertPreTokenizer and WordPiece fused into one pass over the text (the BERT fast path): each code
/// point is normalized as BertNormalizer does, whitespace ends the current word, punctuation and CJK ideographs are
/// words of their own, and each word goes to WordPiece straight from a reused buffer. It gives the same ids as the
/// three components one after another; text whose stripped accents leave a combining mark to reorder (NFD's canonical
/// order) is handed back to the general path.
/// </summary>
internal sealed class BertWordPieceEncoder(BertNormalizer normalizer, WordPieceModel model)
{
    private const byte Word = 0, Space = 1, Punctuation = 2, Control = 3;

    // What each ASCII character is to BERT: part of a word, whitespace (a split), punctuation (a word of its own), or
    // a control character (removed by clean_text, else part of a word).
    private static readonly byte[] AsciiKind = Enumerable.Range(0, 128).Select(c =>
        UnicodeClasses.IsWhiteSpace(c) ? Space : UnicodeClasses.IsPunctuation(c) ? Punctuation
        : BertNormalizer.IsControl(c) ? Control : Word).ToArray();

    [ThreadStatic]
    private static char[]? t_word;

    [ThreadStatic]
    private static List<int>? t_decomposed;

    /// <summary>Appends the ids of <paramref name="text"/>; false (with nothing appended) when the general path must run.</summary>
    public bool TryEncode(ReadOnlySpan<char> text, List<int> ids)
    {
        char[] word = t_word ??= new char[256];
        int length = 0, mark = ids.Count;
        bool lower = normalizer.Lowercase, strip = normalizer.StripAccents ?? normalizer.Lowercase;
        bool clean = normalizer.CleanText, chinese = normalizer.HandleChineseChars;
        for (int i = 0; i < text.Length;)
        {
            char c = text[i];
            if (c < 128 && (AsciiKind[c] != Control || !clean))
            {
                i++;
                switch (AsciiKind[c])
                {
                    case Space:
                        Flush(word, ref length, ids);
                        break;
                    case Punctuation:
                        Flush(word, ref length, ids);
                        word[0] = c;
                        length = 1;
                        Flush(word, ref length, ids);
                        break;
                    default:
                        if (length == word.Length)
                            Array.Resize(ref word, word.Length * 2);
                        word[length++] = lower && (uint)(c - 'A') <= 'Z' - 'A' ? (char)(c + 32) : c;
                        break;
                }
                continue;
            }
            int cp = UnicodeClasses.CodePointAt(text, i, out int size);
            i += size;
            if (clean)
            {
                if (cp is 0 or 0xFFFD || BertNormalizer.IsControl(cp))
                    continue;
                if (cp is '\t' or '\n' or '\r' || UnicodeClasses.IsWhiteSpace(cp))
                {
                    Flush(word, ref length, ids);
                    continue;
                }
            }
            if (chinese && BertNormalizer.IsChinese(cp))
            {
                Flush(word, ref length, ids);
                Append(cp, lower, ref word, ref length);
                Flush(word, ref length, ids);
                continue;
            }
            List<int> parts = t_decomposed ??= [];
            parts.Clear();
            if (strip && cp >= 0xC0)
                UnicodeNormalization.Decompose(cp, compat: false, parts);
            else
                parts.Add(cp);
            foreach (int p in parts)
            {
                if (strip && BertNormalizer.IsNonSpacingMark(p))
                    continue;
                if (strip && UnicodeNormalization.CombiningClass(p) != 0)
                {
                    ids.RemoveRange(mark, ids.Count - mark);
                    t_word = word;
                    return false;
                }
                if (UnicodeClasses.IsWhiteSpace(p))
                {
                    Flush(word, ref length, ids);
                }
                else if (UnicodeClasses.IsPunctuation(p))
                {
                    Flush(word, ref length, ids);
                    Append(p, lower, ref word, ref length);
                    Flush(word, ref length, ids);
                }
                else
                {
                    Append(p, lower, ref word, ref length);
                }
            }
        }
        Flush(word, ref length, ids);
        t_word = word;
        return true;
    }

    private void Flush(char[] word, ref int length, List<int> ids)
    {
        if (length == 0)
            return;
        model.Tokenize(word.AsSpan(0, length), ids);
        length = 0;
    }

    // Lowercasing may turn one code point into two (İ), and a lowercased letter is never whitespace or punctuation.
    private static void Append(int cp, bool lower, ref char[] word, ref int length)
    {
        if (length + 4 > word.Length)
            Array.Resize(ref word, word.Length * 2);
        if (lower && cp == 0x130)
        {
            word[length++] = 'i';
            word[length++] = '\u0307';
            return;
        }
        Rune rune = Rune.IsValid(cp) ? new Rune(cp) : Rune.ReplacementChar;
        if (!Rune.IsValid(cp))
        {
            word[length++] = (char)cp;
            return;
        }
        if (lower)
            rune = Rune.ToLowerInvariant(rune);
        length += rune.EncodeToUtf16(word.AsSpan(length));
    }
}
