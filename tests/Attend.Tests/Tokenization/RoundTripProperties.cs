using System.Text;
using Attend.Tokenization;
using FsCheck.Xunit;

namespace Attend.Tests.Tokenization;

public class RoundTripProperties
{
    // Each generated int picks a script (low 3 bits) and a code point in it, so strings mix ASCII and control
    // characters, Latin, combining marks, RTL, CJK, Hangul, emoji and any other scalar value (never a lone surrogate).
    private static readonly (int Start, int Length)[] Ranges =
    [
        (0x0000, 0x80), (0x0080, 0x1D0), (0x0300, 0x70), (0x0590, 0x170),
        (0x4E00, 0x5200), (0xAC00, 0x2BA4), (0x1F300, 0x800), (0x0000, 0x110000),
    ];

    private static readonly Lazy<Microsoft.ML.Tokenizers.TiktokenTokenizer> Gpt2Reference =
        new(() => Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt2"));

    internal static string FromInts(int[] values)
    {
        var sb = new StringBuilder();
        foreach (int v in values)
        {
            (int start, int length) = Ranges[v & 7];
            int cp = start + (int)((uint)(v * -1640531535) % (uint)length);
            if (cp is >= 0xD800 and <= 0xDFFF)
                cp -= 0x800;
            sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    [Property(MaxTest = 300)]
    public bool TrainedTokenizer_DecodeOfEncode_IsTheText(int[] values)
    {
        string text = FromInts(values);
        return TokenizerTestData.Small.Decode(TokenizerTestData.Small.EncodeToIds(text)) == text;
    }

    [Property(MaxTest = 300)]
    public bool Gpt2_DecodeOfEncode_IsTheText(int[] values)
    {
        string text = FromInts(values);
        return TokenizerTestData.Gpt2.Decode(TokenizerTestData.Gpt2.EncodeToIds(text)) == text;
    }

    [Property(MaxTest = 300)]
    public bool Cl100k_DecodeOfEncode_IsTheText(int[] values)
    {
        string text = FromInts(values);
        return TokenizerTestData.Cl100k.Decode(TokenizerTestData.Cl100k.EncodeToIds(text)) == text;
    }

    [Property(MaxTest = 200)]
    public bool Gpt2_EqualsMicrosoftMLTiktoken_OnRandomStrings(int[] values)
    {
        string text = FromInts(values);
        return Gpt2Reference.Value.EncodeToIds(text).SequenceEqual(TokenizerTestData.Gpt2.EncodeToIds(text));
    }

    [Property(MaxTest = 200)]
    public bool PreTokens_CoverTheTextInOrder(int[] values)
    {
        string text = FromInts(values);
        var sb = new StringBuilder();
        foreach (PreTokenizer pre in new[] { PreTokenizer.Gpt2, PreTokenizer.Cl100k, PreTokenizer.Whitespace, PreTokenizer.None })
        {
            sb.Clear();
            foreach ((int start, int length) in pre.Split(text))
            {
                if (start != sb.Length || length == 0)
                    return false;
                sb.Append(text, start, length);
            }
            if (sb.ToString() != text)
                return false;
        }
        return true;
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0")]
    [InlineData("\u0001\u001f\u007f\u0085\u00a0")]
    [InlineData("👨‍👩‍👧‍👦")]
    [InlineData("e\u0301\u0302\u0303")]
    [InlineData("עברית ועוד")]
    [InlineData("\uFEFF bom")]
    public void EdgeCases_DecodeOfEncode_IsTheText(string text)
    {
        Assert.Equal(text, TokenizerTestData.Small.Decode(TokenizerTestData.Small.EncodeToIds(text)));
        Assert.Equal(text, TokenizerTestData.Gpt2.Decode(TokenizerTestData.Gpt2.EncodeToIds(text)));
    }
}
