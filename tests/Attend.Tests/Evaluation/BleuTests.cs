using Attend.Evaluation;

namespace Attend.Tests.Evaluation;

/// <summary>The expected figures are sacreBLEU's own, from its test/test_bleu.py.</summary>
public class BleuTests
{
    private static readonly string[] Hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

    private static readonly string[][] Refs =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    [Fact]
    public void Corpus_ReadmeExampleWithTwoReferences_MatchesSacreBleu() =>
        Assert.Equal(48.530827, Bleu.Corpus(Hyps, Refs).Score, 6);

    [Fact]
    public void Corpus_WithoutTokenization_MatchesSacreBleu() =>
        Assert.Equal(49.1919566, Bleu.Corpus(Hyps, Refs, tokenize: false).Score, 6);

    [Fact]
    public void Corpus_EmptyHypotheses_ScoreZero() =>
        Assert.Equal(0.0, Bleu.Corpus(["", "", ""], Refs).Score);

    [Fact]
    public void Score_FromStatistics_MatchesSacreBleu() =>
        Assert.Equal(83.75922397, Bleu.Score([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).Score, 6);

    [Fact]
    public void Corpus_IdenticalSentence_Is100() =>
        Assert.Equal(100.0, Bleu.Corpus(["this is a test"], ["this is a test"]).Score, 9);

    [Fact]
    public void Corpus_CountsNGramsLikeSacreBleu()
    {
        BleuScore s = Bleu.Corpus(["am I am a character sequence"], ["I am a symbol string sequence a a"]);
        Assert.Equal(new long[] { 4, 2, 1, 0 }, s.Correct);
        Assert.Equal(new long[] { 6, 5, 4, 3 }, s.Total);
    }

    [Fact]
    public void Tokenizer13a_SplitsPunctuationButKeepsNumbers() =>
        Assert.Equal("He said , \" 3.5 % of 1,000 \" - ok .", Tokenizer13a.Tokenize("He said, &quot;3.5% of 1,000&quot; - ok."));

    [Fact]
    public void Corpus_MismatchedCounts_Throws() =>
        Assert.Throws<ArgumentException>(() => Bleu.Corpus(["a"], ["a", "b"]));
}
