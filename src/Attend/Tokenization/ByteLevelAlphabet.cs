namespace Attend.Tokenization;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c>: each byte maps to one printable character so a token's bytes can be written
/// as a string (the form tokenizer.json and Hugging Face's ByteLevel pre-tokenizer use). Bytes that are printable
/// Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves; the other 68 map, in byte order, to U+0100, U+0101, ...
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] s_byteToChar = BuildByteToChar();
    private static readonly short[] s_charToByte = BuildCharToByte(s_byteToChar);

    /// <summary>The character standing for byte <paramref name="b"/>.</summary>
    public static char ToChar(byte b) => s_byteToChar[b];

    /// <summary>The byte that <paramref name="c"/> stands for, or -1 when <paramref name="c"/> is not in the alphabet.</summary>
    public static int ToByte(char c) => c < s_charToByte.Length ? s_charToByte[c] : -1;

    /// <summary>Writes the byte-level string form of <paramref name="bytes"/>.</summary>
    public static string ToText(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (dest, src) =>
        {
            for (int i = 0; i < src.Length; i++)
                dest[i] = s_byteToChar[src[i]];
        });
    }

    /// <summary>Maps <paramref name="bytes"/> to characters into <paramref name="destination"/> (same length).</summary>
    public static void ToChars(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        for (int i = 0; i < bytes.Length; i++)
            destination[i] = s_byteToChar[bytes[i]];
    }

    /// <summary>The bytes a byte-level string stands for, or null when a character is outside the alphabet.</summary>
    public static byte[]? TryToBytes(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int b = ToByte(text[i]);
            if (b < 0)
                return null;
            bytes[i] = (byte)b;
        }
        return bytes;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static short[] BuildCharToByte(char[] byteToChar)
    {
        var map = new short[byteToChar.Max() + 1];
        Array.Fill(map, (short)-1);
        for (int b = 0; b < 256; b++)
            map[byteToChar[b]] = (short)b;
        return map;
    }
}
