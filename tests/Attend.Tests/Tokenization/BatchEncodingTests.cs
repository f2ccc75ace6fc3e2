using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

public class BatchEncodingTests
{
    private static Tokenizer WithBosEos => TokenizerTestData.Small.WithOptions(new TokenizerOptions { AddBos = true, AddEos = true });

    [Fact]
    public void PadToLongest_RowsAreIdsThenPadWithMask()
    {
        Tokenizer t = WithBosEos;
        string[] texts = ["the lowest", "a"];
        BatchEncoding batch = t.EncodeBatch(texts);
        int[] first = t.EncodeToIds(texts[0]), second = t.EncodeToIds(texts[1]);
        Assert.Equal(2, batch.BatchSize);
        Assert.Equal(Math.Max(first.Length, second.Length), batch.Length);
        Assert.Equal(first, batch.Ids[..first.Length]);
        Assert.Equal(second, batch.Ids.AsSpan(batch.Length, second.Length).ToArray());
        Assert.All(batch.Ids[(batch.Length + second.Length)..], id => Assert.Equal(t.PadId, id));
        Assert.Equal(first.Length + second.Length, batch.Mask.Count(m => m));
        Assert.False(batch.Mask[batch.Length + second.Length]);
    }

    [Fact]
    public void Truncation_KeepsBosAndEos()
    {
        Tokenizer t = WithBosEos;
        BatchEncoding batch = t.EncodeBatch(["the lowest newer wider Straße"], new BatchEncodingOptions { MaxLength = 4 });
        Assert.Equal(4, batch.Length);
        Assert.Equal(t.BosId, batch.Ids[0]);
        Assert.Equal(t.EosId, batch.Ids[3]);
        Assert.All(batch.Mask, Assert.True);
    }

    [Fact]
    public void PadToMaxLength_PadsEveryRowToTheFixedLength()
    {
        BatchEncoding batch = TokenizerTestData.Small.EncodeBatch(["a", "the"], new BatchEncodingOptions { MaxLength = 16, PadToMaxLength = true });
        Assert.Equal(16, batch.Length);
        Assert.Equal(32, batch.Ids.Length);
    }

    [Fact]
    public void Padding_WithoutPadToken_ThrowsClearMessage()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TokenizerTestData.Gpt2.EncodeBatch(["a", "a b c"]));
        Assert.Contains("pad token '<pad>'", e.Message, StringComparison.Ordinal);
    }
}
