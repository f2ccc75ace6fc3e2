using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

public class BpeTrainerTests
{
    private static readonly BpeTrainerOptions BytesOnly = new()
    {
        SpecialTokens = [],
        PreTokenizer = PreTokenizer.None,
        MinFrequency = 1,
        MaxDegreeOfParallelism = 2,
    };

    [Fact]
    public void Golden_Aaabdaaabac_ThreeMerges_AreAaThenAbThenAaAb()
    {
        // aaabdaaabac: "aa" occurs 4 times -> 256; then "aa a" and "a b" both occur twice, the tie goes to the
        // smaller pair (97, 98) -> 257; then (256, 257) occurs twice -> 258: XdXac as on Wikipedia.
        Tokenizer tokenizer = Tokenizer.Train(["aaabdaaabac"], BytesOnly with { VocabularySize = 259 });
        var merges = tokenizer.MergeTable.Merges.Select(m => (m.Left, m.Right, m.Result)).ToArray();
        Assert.Equal([(97, 97, 256), (97, 98, 257), (256, 257, 258)], merges);
        Assert.Equal([258, 100, 258, 97, 99], tokenizer.EncodeToIds("aaabdaaabac"));
    }

    [Fact]
    public void Train_SmallCorpus_MatchesNaiveRecountingTrainerMergeForMerge()
    {
        IReadOnlyList<string> corpus = TokenizerTestData.SmallCorpus();
        var options = new BpeTrainerOptions { VocabularySize = 700, MinFrequency = 2, MaxDegreeOfParallelism = 2 };
        Tokenizer tokenizer = Tokenizer.Train(corpus, options);
        List<(int, int)> expected = NaiveBpeTrainer.Train(corpus, 700, 2, options.SpecialTokens.Count, PreTokenizer.Gpt2);
        Assert.Equal(expected, tokenizer.MergeTable.Merges.Select(m => (m.Left, m.Right)).ToList());
    }

    [Fact]
    public void Train_RunsOfOneByte_MatchNaiveTrainerWithOverlappingPairs()
    {
        string[] corpus = ["aaaaaaa aaaa aaa", "aaaaa bbbbbb ab", "aaaaaaaaaaaaaaaa"];
        Tokenizer tokenizer = Tokenizer.Train(corpus, BytesOnly with { VocabularySize = 270, PreTokenizer = PreTokenizer.Gpt2 });
        List<(int, int)> expected = NaiveBpeTrainer.Train(corpus, 270, 1, 0, PreTokenizer.Gpt2);
        Assert.Equal(expected, tokenizer.MergeTable.Merges.Select(m => (m.Left, m.Right)).ToList());
    }

    [Fact]
    public void Train_StopsWhenBestPairIsBelowMinimumFrequency()
    {
        // Pairs seen twice: ab, bc, cd, "d ". After ab, the tie between (ab, c) and (c, d) goes to the smaller ids
        // (c, d); then ab+cd and "abcd"+" " occur twice; what is left occurs once.
        Tokenizer tokenizer = Tokenizer.Train(["abcd abcd xy"], BytesOnly with { VocabularySize = 1000, MinFrequency = 2 });
        Assert.Equal(["ab", "cd", "abcd", "abcdĠ"], tokenizer.MergeTable.Merges.Select(m => tokenizer.IdToToken(m.Result)));
    }

    [Fact]
    public void Train_SpecialTokens_GetFirstIdsAndAreNeverMerged()
    {
        Tokenizer tokenizer = Tokenizer.Train(["<pad><pad> a<eos>b <pad>"], new BpeTrainerOptions { VocabularySize = 300, MinFrequency = 1 });
        Assert.Equal(0, tokenizer.PadId);
        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal(2, tokenizer.EosId);
        Assert.Equal(3, tokenizer.UnkId);
        Assert.DoesNotContain(tokenizer.MergeTable.Merges, m => tokenizer.IdToToken(m.Result)!.Contains('<', StringComparison.Ordinal));
        Assert.Equal([0, 0], tokenizer.EncodeToIds("<pad><pad>"));
    }

    [Fact]
    public void Train_VocabularyBelowBytesPlusSpecials_ThrowsClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => Tokenizer.Train(["abc"], new BpeTrainerOptions { VocabularySize = 259 }));
        Assert.Contains("below 256 bytes + 4 special tokens", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_EmptyCorpus_ThrowsClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => Tokenizer.Train(["", ""], BpeTrainerOptions.Default));
        Assert.Contains("corpus is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_ReportsMergeProgressUpToTheTarget()
    {
        var reports = new List<BpeTrainingProgress>();
        Tokenizer.Train(TokenizerTestData.SmallCorpus(), new BpeTrainerOptions { VocabularySize = 300 }, new SyncProgress(reports.Add));
        Assert.Contains(reports, r => r.Phase == "merge" && r.Done == r.Total && r.Total == 300 - 4 - 256);
    }

    [Fact]
    public void Train_IsDeterministicAcrossThreadCounts()
    {
        IReadOnlyList<string> corpus = TokenizerTestData.SmallCorpus();
        var one = Tokenizer.Train(corpus, new BpeTrainerOptions { VocabularySize = 600, MaxDegreeOfParallelism = 1 });
        var two = Tokenizer.Train(corpus, new BpeTrainerOptions { VocabularySize = 600, MaxDegreeOfParallelism = 2 });
        Assert.Equal(one.MergeTable.Merges, two.MergeTable.Merges);
    }

    private sealed class SyncProgress(Action<BpeTrainingProgress> report) : IProgress<BpeTrainingProgress>
    {
        public void Report(BpeTrainingProgress value) => report(value);
    }
}
