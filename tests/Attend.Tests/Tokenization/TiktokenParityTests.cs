using Attend.Tokenization;
using TiktokenTokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer;

namespace Attend.Tests.Tokenization;

public class TiktokenParityTests
{
    public static TheoryData<string> Texts => new()
    {
        TokenizerTestData.Multilingual,
        "",
        " ",
        "\n\n\n",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "                                                          x",
        "𝐀𝐁𝐂 math letters 🧑🏿‍🚀",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Gpt2Ranks_GiveTheIdsOfMicrosoftMLTiktoken(string text)
    {
        TiktokenTokenizer reference = TiktokenTokenizer.CreateForModel("gpt2");
        Assert.Equal(reference.EncodeToIds(text), TokenizerTestData.Gpt2.EncodeToIds(text));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Cl100kRanks_GiveTheIdsOfMicrosoftMLTiktoken(string text)
    {
        TiktokenTokenizer reference = TiktokenTokenizer.CreateForModel("gpt-4");
        Assert.Equal(reference.EncodeToIds(text), TokenizerTestData.Cl100k.EncodeToIds(text));
    }

    [Fact]
    public void Gpt2Ranks_EveryLineOfTheText_MatchesMicrosoftMLTiktoken()
    {
        TiktokenTokenizer reference = TiktokenTokenizer.CreateForModel("gpt2");
        foreach (string line in TokenizerTestData.Multilingual.Split('\n'))
            Assert.Equal(reference.EncodeToIds(line), TokenizerTestData.Gpt2.EncodeToIds(line));
    }

    [Fact]
    public void Cl100k_SpecialTokenInText_IsOneId()
    {
        TiktokenTokenizer reference = TiktokenTokenizer.CreateForModel("gpt-4");
        string text = "end<|endoftext|>start";
        Assert.Equal(reference.EncodeToIds(text), TokenizerTestData.Cl100k.EncodeToIds(text));
        Assert.Contains(100257, TokenizerTestData.Cl100k.EncodeToIds(text));
    }

    [Fact]
    public void Gpt2_DecodeOfEncode_GivesTheText()
    {
        Tokenizer gpt2 = TokenizerTestData.Gpt2;
        Assert.Equal(TokenizerTestData.Multilingual, gpt2.Decode(gpt2.EncodeToIds(TokenizerTestData.Multilingual)));
    }
}
