using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

public class PreTokenizerTests
{
    private static string[] Pieces(PreTokenizer pre, string text)
    {
        var pieces = new List<string>();
        foreach ((int start, int length) in pre.Split(text))
            pieces.Add(text.Substring(start, length));
        return pieces.ToArray();
    }

    [Fact]
    public void Gpt2_SplitsContractionsWordsNumbersAndSpaceRuns()
    {
        Assert.Equal(["I", "'m", " here", "  ", " now", "!!", " 42", "\n"], Pieces(PreTokenizer.Gpt2, "I'm here   now!! 42\n"));
    }

    [Fact]
    public void Cl100k_GroupsDigitsByThree()
    {
        Assert.Equal(["123", "456", "7", " abc"], Pieces(PreTokenizer.Cl100k, "1234567 abc"));
    }

    [Fact]
    public void Whitespace_KeepsLeadingWhitespaceWithTheWord()
    {
        Assert.Equal(["a", " ", " b", "  "], Pieces(PreTokenizer.Whitespace, "a  b  "));
    }

    [Fact]
    public void CustomPattern_GapsBetweenMatchesArePreTokens()
    {
        Assert.Equal(["ab", "12", "cd", "3"], Pieces(PreTokenizer.FromPattern(@"\d+"), "ab12cd3"));
    }

    [Fact]
    public void None_IsOnePreToken()
    {
        Assert.Equal(["a b c"], Pieces(PreTokenizer.None, "a b c"));
        Assert.Empty(Pieces(PreTokenizer.None, ""));
    }

    [Fact]
    public void Parse_KnownNames_ReturnTheBuiltIns()
    {
        Assert.Same(PreTokenizer.Gpt2, PreTokenizer.Parse("gpt2"));
        Assert.Same(PreTokenizer.Cl100k, PreTokenizer.Parse("cl100k"));
        Assert.Same(PreTokenizer.None, PreTokenizer.Parse("none"));
        Assert.Equal("regex", PreTokenizer.Parse("[a-z]+").Name);
    }
}
