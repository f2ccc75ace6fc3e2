using System.Text.RegularExpressions;

namespace Attend.Tokenization;

/// <summary>
/// Splits text into pre-tokens before byte-pair merging; merges never cross a pre-token boundary. Text between
/// regular-expression matches becomes a pre-token of its own, so the pre-tokens always cover the whole text and
/// decoding gives the text back.
/// </summary>
/// <remarks>
/// .NET regular expressions see UTF-16 code units: a character outside the Basic Multilingual Plane (emoji, CJK
/// extension B) is two surrogates, which <c>\p{L}</c> and <c>\p{N}</c> do not match. This is also what
/// Microsoft.ML.Tokenizers does; Python's tiktoken, which matches code points, can split astral letters differently.
/// </remarks>
public sealed partial class PreTokenizer
{
    /// <summary>GPT-2's split pattern (also Hugging Face ByteLevel's with <c>use_regex: true</c>).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>The split pattern of tiktoken's cl100k_base (GPT-3.5/GPT-4).</summary>
    public const string Cl100kPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Whitespace splitting that keeps the whitespace: each word with the whitespace before it.</summary>
    public const string WhitespacePattern = @"\s+(?!\S)|\s*\S+";

    private readonly Regex? _regex;

    private PreTokenizer(string name, Regex? regex)
    {
        Name = name;
        _regex = regex;
    }

    /// <summary>GPT-2's pattern (the default), matched by a hand-written scanner equal to the regex.</summary>
    public static PreTokenizer Gpt2 { get; } = new("gpt2", Gpt2Regex());

    /// <summary>cl100k_base's pattern.</summary>
    public static PreTokenizer Cl100k { get; } = new("cl100k", Cl100kRegex());

    /// <summary>Words with their leading whitespace (<see cref="WhitespacePattern"/>).</summary>
    public static PreTokenizer Whitespace { get; } = new("whitespace", WhitespaceRegex());

    /// <summary>No splitting: the whole text is one pre-token.</summary>
    public static PreTokenizer None { get; } = new("none", null);

    /// <summary>"gpt2", "cl100k", "whitespace", "none" or "regex" for a custom pattern.</summary>
    public string Name { get; }

    /// <summary>The regular expression, or null for <see cref="None"/>.</summary>
    public string? Pattern => _regex?.ToString();

    /// <summary>A pre-tokenizer for a custom pattern; an invalid pattern throws <see cref="ArgumentException"/>.</summary>
    public static PreTokenizer FromPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (pattern == Gpt2Pattern)
            return Gpt2;
        if (pattern == Cl100kPattern)
            return Cl100k;
        if (pattern == WhitespacePattern)
            return Whitespace;
        return new PreTokenizer("regex", new Regex(pattern, RegexOptions.CultureInvariant));
    }

    /// <summary>Parses "gpt2", "cl100k", "whitespace", "none", or any other text as a custom pattern.</summary>
    public static PreTokenizer Parse(string nameOrPattern) => nameOrPattern switch
    {
        "gpt2" => Gpt2,
        "cl100k" => Cl100k,
        "whitespace" => Whitespace,
        "none" => None,
        _ => FromPattern(nameOrPattern),
    };

    /// <summary>The pre-tokens of <paramref name="text"/> as (start, length), in order and covering the text.</summary>
    public PreTokenEnumerator Split(ReadOnlySpan<char> text) =>
        this == Gpt2 ? new PreTokenEnumerator(text, gpt2: true)
        : _regex is null ? new PreTokenEnumerator(text)
        : new PreTokenEnumerator(text, _regex.EnumerateMatches(text));

    [GeneratedRegex(Gpt2Pattern)]
    private static partial Regex Gpt2Regex();

    [GeneratedRegex(Cl100kPattern)]
    private static partial Regex Cl100kRegex();

    [GeneratedRegex(WhitespacePattern)]
    private static partial Regex WhitespaceRegex();
}
