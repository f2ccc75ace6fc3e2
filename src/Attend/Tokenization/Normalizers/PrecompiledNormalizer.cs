using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's Precompiled normalizer: SentencePiece's compiled normalization rules (<c>precompiled_charsmap</c>,
/// base64 in tokenizer.json): a little-endian uint32 size, a Darts-clone double-array trie of that many bytes over the
/// UTF-8 of the source strings, then the replacement strings, each ended by a zero byte, at the offsets the trie's leaves
/// hold. Each grapheme cluster shorter than 6 UTF-8 bytes is replaced whole when the trie has a prefix of it; otherwise
/// each of its characters is replaced on its own when it has one (the first, shortest prefix match, as
/// <c>spm_precompiled</c> does).
/// </summary>
internal sealed class PrecompiledNormalizer : Normalizer
{
    private readonly byte[] _charsmap;
    private readonly uint[] _trie;
    private readonly byte[] _normalized;

    public PrecompiledNormalizer(byte[] charsmap)
    {
        _charsmap = charsmap;
        if (charsmap.Length < 4)
            throw new ArgumentException("the precompiled charsmap is shorter than its 4-byte header");
        uint trieBytes = BitConverter.ToUInt32(charsmap, 0);
        if (trieBytes > charsmap.Length - 4 || trieBytes % 4 != 0)
            throw new ArgumentException($"the precompiled charsmap's trie size {trieBytes} does not fit its {charsmap.Length} bytes");
        _trie = new uint[trieBytes / 4];
        for (int i = 0; i < _trie.Length; i++)
            _trie[i] = BitConverter.ToUInt32(charsmap, 4 + 4 * i);
        _normalized = charsmap[(4 + (int)trieBytes)..];
        if (_trie.Length == 0)
            throw new ArgumentException("the precompiled charsmap's trie is empty");
    }

    public override string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        Span<byte> utf8 = stackalloc byte[64];
        for (int i = 0; i < text.Length;)
        {
            int length = StringInfo.GetNextTextElementLength(text.AsSpan(i));
            ReadOnlySpan<char> grapheme = text.AsSpan(i, length);
            i += length;
            if (Encoding.UTF8.GetByteCount(grapheme) < 6 && Transform(grapheme, utf8, sb))
                continue;
            for (int k = 0; k < grapheme.Length;)
            {
                int cl = char.IsHighSurrogate(grapheme[k]) && k + 1 < grapheme.Length ? 2 : 1;
                if (!Transform(grapheme.Slice(k, cl), utf8, sb))
                    sb.Append(grapheme.Slice(k, cl));
                k += cl;
            }
        }
        return sb.ToString();
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Precompiled");
        writer.WriteString("precompiled_charsmap", Convert.ToBase64String(_charsmap));
        writer.WriteEndObject();
    }

    private bool Transform(ReadOnlySpan<char> chunk, Span<byte> utf8, StringBuilder sb)
    {
        if (Encoding.UTF8.GetMaxByteCount(chunk.Length) > utf8.Length)
            return false;
        int n = Encoding.UTF8.GetBytes(chunk, utf8);
        int offset = FirstPrefixValue(utf8[..n]);
        if (offset < 0)
            return false;
        int end = offset;
        while (end < _normalized.Length && _normalized[end] != 0)
            end++;
        sb.Append(Encoding.UTF8.GetString(_normalized, offset, end - offset));
        return true;
    }

    // Darts-clone's common prefix search, stopping at the first (shortest) key that is a prefix of the bytes.
    private int FirstPrefixValue(ReadOnlySpan<byte> key)
    {
        uint pos = 0;
        uint unit = _trie[0];
        pos ^= Offset(unit);
        foreach (byte c in key)
        {
            if (c == 0)
                break;
            pos ^= c;
            if (pos >= _trie.Length)
                return -1;
            unit = _trie[pos];
            if ((unit & ((1u << 31) | 0xFF)) != c)
                return -1;
            pos ^= Offset(unit);
            if (((unit >> 8) & 1) == 1)
                return pos < _trie.Length ? (int)(_trie[pos] & ((1u << 31) - 1)) : -1;
        }
        return -1;
    }

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
