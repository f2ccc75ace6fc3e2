using System.Text;
using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

public class TiktokenFileTests
{
    private static string AllBytes(int firstRank = 0) =>
        string.Concat(Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {firstRank + b}\n"));

    private static Tokenizer Load(string text) =>
        Tokenizer.FromTiktoken(new MemoryStream(Encoding.UTF8.GetBytes(text)), "ranks.tiktoken");

    [Fact]
    public void Golden_LowestRankConcatenationMergesFirst()
    {
        // "ab" rank 256, "bc" rank 257, "abc" rank 258: in "abc" the pair a+b (256) merges before b+c (257),
        // then ab+c = "abc" has a rank.
        string ranks = AllBytes() + "YWI= 256\nYmM= 257\nYWJj 258\n";
        Tokenizer t = Load(ranks);
        Assert.Equal([258], t.EncodeToIds("abc"));
        Assert.Equal([256, 256], t.EncodeToIds("abab"));
        Assert.Equal([(int)'x', 257], t.EncodeToIds("xbc"));
    }

    [Theory]
    [InlineData("!!! 256\n", "line 257: '!!!' is not valid base64")]
    [InlineData("YWI= 5\n", "line 257: rank 5 appears twice")]
    [InlineData("YWI=\n", "line 257: expected 'base64-token rank'")]
    [InlineData("YWI= x\n", "line 257: 'x' is not a non-negative integer rank")]
    [InlineData("QQ== 300\n", "line 257: token 'QQ==' appears twice")]
    public void Malformed_ThrowsMessageNamingFileLineAndProblem(string extra, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => Load(AllBytes() + extra));
        Assert.Contains("ranks.tiktoken: " + problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingByte_ThrowsMessageNamingTheByte()
    {
        string ranks = string.Concat(Enumerable.Range(1, 255).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}\n"));
        var e = Assert.Throws<InvalidDataException>(() => Load(ranks));
        Assert.Contains("ranks.tiktoken: the vocabulary has no token for byte 0x00", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyFile_ThrowsNoTokens()
    {
        var e = Assert.Throws<InvalidDataException>(() => Load(""));
        Assert.Contains("has no tokens", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CapacityHeaderAndUnrankedLines_RankByLine()
    {
        string unranked = "Capacity: 257\n" + string.Concat(Enumerable.Range(0, 256).Select(b => Convert.ToBase64String([(byte)b]) + "\n")) + "YWI=\n";
        Assert.Equal([256], Load(unranked).EncodeToIds("ab"));
    }
}
