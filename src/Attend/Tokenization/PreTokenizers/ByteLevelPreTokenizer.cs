using System.Text;
using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's ByteLevel pre-tokenizer: optionally a space before a piece that does not start with one
/// (<c>add_prefix_space</c>), GPT-2's split pattern (<c>use_regex</c>), then every piece rewritten as its UTF-8 bytes
/// in GPT-2's byte alphabet.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex, bool trimOffsets) : PreTokenizerStep
{
    public bool AddPrefixSpace { get; } = addPrefixSpace;

    public bool UseRegex { get; } = useRegex;

    public bool TrimOffsets { get; } = trimOffsets;

    public override void Split(ReadOnlySpan<char> text, bool atStart, PieceList output)
    {
        if (AddPrefixSpace && (text.IsEmpty || text[0] != ' '))
        {
            Span<char> withSpace = text.Length < 256 ? stackalloc char[text.Length + 1] : new char[text.Length + 1];
            withSpace[0] = ' ';
            text.CopyTo(withSpace[1..]);
            SplitPrefixed(withSpace, atStart, output);
        }
        else
        {
            SplitPrefixed(text, atStart, output);
        }
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "ByteLevel");
        writer.WriteBoolean("add_prefix_space", AddPrefixSpace);
        writer.WriteBoolean("trim_offsets", TrimOffsets);
        writer.WriteBoolean("use_regex", UseRegex);
        writer.WriteEndObject();
    }

    private void SplitPrefixed(ReadOnlySpan<char> text, bool atStart, PieceList output)
    {
        if (!UseRegex)
        {
            AddBytes(text, atStart, output);
            return;
        }
        bool first = true;
        foreach ((int start, int length) in PreTokenizer.Gpt2.Split(text))
        {
            AddBytes(text.Slice(start, length), atStart && first, output);
            first = false;
        }
    }

    private static void AddBytes(ReadOnlySpan<char> piece, bool atStart, PieceList output)
    {
        if (piece.IsEmpty)
            return;
        Span<char> room = output.Reserve(Encoding.UTF8.GetMaxByteCount(piece.Length));
        Span<byte> bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(room)[..Encoding.UTF8.GetMaxByteCount(piece.Length)];
        int n = Encoding.UTF8.GetBytes(piece, bytes);
        // The bytes occupy the first half of the room: map them back to front so no byte is overwritten before it is read.
        for (int i = n - 1; i >= 0; i--)
            room[i] = ByteLevelAlphabet.ToChar(bytes[i]);
        output.Commit(n, atStart);
    }
}
