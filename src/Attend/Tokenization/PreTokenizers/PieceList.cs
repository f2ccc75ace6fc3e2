namespace Attend.Tokenization;

/// <summary>
/// The pre-tokens of one piece of text: their characters in one growing buffer and (start, length) ranges into it,
/// plus whether each begins the original text (Metaspace's <c>prepend_scheme: first</c> needs that). Reused between
/// calls so splitting allocates nothing once warm.
/// </summary>
internal sealed class PieceList
{
    private char[] _chars = new char[256];
    private int _used;
    private readonly List<(int Start, int Length, bool AtStart)> _pieces = [];

    public int Count => _pieces.Count;

    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            (int start, int length, _) = _pieces[index];
            return _chars.AsSpan(start, length);
        }
    }

    public bool AtStart(int index) => _pieces[index].AtStart;

    public void Clear()
    {
        _used = 0;
        _pieces.Clear();
    }

    /// <summary>Adds a copy of <paramref name="piece"/>; empty pieces are dropped, as Hugging Face drops them.</summary>
    public void Add(ReadOnlySpan<char> piece, bool atStart)
    {
        if (piece.IsEmpty)
            return;
        Span<char> room = Reserve(piece.Length);
        piece.CopyTo(room);
        Commit(piece.Length, atStart);
    }

    /// <summary>Room for a piece of up to <paramref name="length"/> characters, written and then committed with <see cref="Commit"/>.</summary>
    public Span<char> Reserve(int length)
    {
        if (_used + length > _chars.Length)
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + length));
        return _chars.AsSpan(_used, length);
    }

    public void Commit(int length, bool atStart)
    {
        if (length == 0)
            return;
        _pieces.Add((_used, length, atStart));
        _used += length;
    }
}
