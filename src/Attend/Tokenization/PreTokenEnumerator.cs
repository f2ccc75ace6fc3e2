using System.Text.RegularExpressions;

namespace Attend.Tokenization;

/// <summary>Enumerates pre-tokens as (start, length): each regex match, and each gap between matches.</summary>
public ref struct PreTokenEnumerator
{
    private readonly ReadOnlySpan<char> _text;
    private readonly int _textLength;
    private readonly bool _whole;
    private readonly bool _gpt2;
    private Regex.ValueMatchEnumerator _matches;
    private int _position;
    private (int Start, int Length) _pending;

    internal PreTokenEnumerator(ReadOnlySpan<char> text)
    {
        _textLength = text.Length;
        _whole = true;
    }

    internal PreTokenEnumerator(ReadOnlySpan<char> text, bool gpt2)
    {
        _text = text;
        _textLength = text.Length;
        _gpt2 = gpt2;
    }

    internal PreTokenEnumerator(ReadOnlySpan<char> text, Regex.ValueMatchEnumerator matches)
    {
        _textLength = text.Length;
        _matches = matches;
    }

    /// <summary>The current pre-token.</summary>
    public (int Start, int Length) Current { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly PreTokenEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next pre-token.</summary>
    public bool MoveNext()
    {
        if (_gpt2)
        {
            if (_position >= _textLength)
                return false;
            int length = Gpt2PreTokenizer.NextLength(_text, _position);
            Current = (_position, length);
            _position += length;
            return true;
        }
        if (_pending.Length > 0)
        {
            Current = _pending;
            _pending = default;
            return true;
        }
        if (!_whole)
        {
            while (_matches.MoveNext())
            {
                ValueMatch m = _matches.Current;
                if (m.Length == 0)
                    continue;
                int gapStart = _position;
                _position = m.Index + m.Length;
                if (m.Index > gapStart)
                {
                    Current = (gapStart, m.Index - gapStart);
                    _pending = (m.Index, m.Length);
                }
                else
                {
                    Current = (m.Index, m.Length);
                }
                return true;
            }
        }
        if (_position < _textLength)
        {
            Current = (_position, _textLength - _position);
            _position = _textLength;
            return true;
        }
        return false;
    }
}
