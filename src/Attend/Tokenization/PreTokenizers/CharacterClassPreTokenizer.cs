using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// The pre-tokenizers that split on a class of characters: BertPreTokenizer (whitespace removed, then each
/// punctuation character isolated), WhitespaceSplit (whitespace removed), Punctuation (with a behavior), Digits
/// (numeric characters isolated one by one, or kept together), CharDelimiterSplit (one character removed).
/// </summary>
internal sealed class CharacterClassPreTokenizer : PreTokenizerStep
{
    private CharacterClassPreTokenizer(string type, SplitBehavior behavior, Func<int, bool> isDelimiter, bool bert = false)
    {
        Type = type;
        Behavior = behavior;
        IsDelimiter = isDelimiter;
        Bert = bert;
    }

    public string Type { get; }

    public SplitBehavior Behavior { get; }

    public Func<int, bool> IsDelimiter { get; }

    public bool Bert { get; }

    public bool IndividualDigits { get; private init; }

    public char Delimiter { get; private init; }

    public static CharacterClassPreTokenizer BertPreTokenizer { get; } =
        new("BertPreTokenizer", SplitBehavior.Removed, UnicodeClasses.IsWhiteSpace, bert: true);

    public static CharacterClassPreTokenizer WhitespaceSplit { get; } =
        new("WhitespaceSplit", SplitBehavior.Removed, UnicodeClasses.IsWhiteSpace);

    public static CharacterClassPreTokenizer Punctuation(SplitBehavior behavior) => new("Punctuation", behavior, UnicodeClasses.IsPunctuation);

    public static CharacterClassPreTokenizer Digits(bool individual) =>
        new("Digits", individual ? SplitBehavior.Isolated : SplitBehavior.Contiguous, UnicodeClasses.IsNumeric) { IndividualDigits = individual };

    public static CharacterClassPreTokenizer CharDelimiterSplit(char delimiter) =>
        new("CharDelimiterSplit", SplitBehavior.Removed, c => c == delimiter) { Delimiter = delimiter };

    public override void Split(ReadOnlySpan<char> text, bool atStart, PieceList output)
    {
        if (!Bert)
        {
            Splitter.Emit(text, Splitter.CharSpans(text, IsDelimiter), Behavior, atStart, output);
            return;
        }
        // BERT: split on whitespace (removed), then isolate every punctuation character of each word.
        int i = 0;
        bool first = true;
        while (i < text.Length)
        {
            int c = UnicodeClasses.CodePointAt(text, i, out int length);
            if (UnicodeClasses.IsWhiteSpace(c))
            {
                i += length;
                continue;
            }
            int start = i;
            if (UnicodeClasses.IsPunctuation(c))
            {
                i += length;
            }
            else
            {
                i += length;
                while (i < text.Length)
                {
                    int d = UnicodeClasses.CodePointAt(text, i, out int l);
                    if (UnicodeClasses.IsWhiteSpace(d) || UnicodeClasses.IsPunctuation(d))
                        break;
                    i += l;
                }
            }
            output.Add(text[start..i], atStart && first && start == 0);
            first = false;
        }
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Type);
        if (Type == "Punctuation")
            writer.WriteString("behavior", Behavior.ToString());
        else if (Type == "Digits")
            writer.WriteBoolean("individual_digits", IndividualDigits);
        else if (Type == "CharDelimiterSplit")
            writer.WriteString("delimiter", Delimiter.ToString());
        writer.WriteEndObject();
    }
}

/// <summary>Hugging Face's Whitespace pre-tokenizer: the matches of <c>\w+|[^\w\s]+</c>, whitespace dropped.</summary>
internal sealed class WhitespacePreTokenizer : PreTokenizerStep
{
    public static WhitespacePreTokenizer Instance { get; } = new();

    public override void Split(ReadOnlySpan<char> text, bool atStart, PieceList output)
    {
        int i = 0;
        bool first = true;
        while (i < text.Length)
        {
            int c = UnicodeClasses.CodePointAt(text, i, out int length);
            bool word = UnicodeClasses.IsWordCharacter(c);
            if (!word && UnicodeClasses.IsWhiteSpace(c))
            {
                i += length;
                continue;
            }
            int start = i;
            i += length;
            while (i < text.Length)
            {
                int d = UnicodeClasses.CodePointAt(text, i, out int l);
                bool dWord = UnicodeClasses.IsWordCharacter(d);
                if (dWord != word || (!dWord && UnicodeClasses.IsWhiteSpace(d)))
                    break;
                i += l;
            }
            output.Add(text[start..i], atStart && first && start == 0);
            first = false;
        }
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Whitespace");
        writer.WriteEndObject();
    }
}
