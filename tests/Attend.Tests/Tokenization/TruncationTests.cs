using Attend.Tests.Inference;
using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

// Truncation as Hugging Face's enable_truncation(max_length) does it: the text's tokens are cut and the special tokens
// are added after, so a BERT input keeps [CLS] and [SEP].
public class TruncationTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers");

    private const string Text = "The quick brown fox jumps over the lazy dog, then runs into the forest near the river.";

    [Fact]
    public void WithTruncation_Bert_KeepsClsAndSepAroundTheFirstTokens()
    {
        Tokenizer bert = Tokenizer.FromTokenizerJson(Path.Combine(Folder, "bert-uncased", "tokenizer.json"));
        int[] full = bert.EncodeToIds(Text);
        int cls = bert.TokenToId("[CLS]")!.Value, sep = bert.TokenToId("[SEP]")!.Value;
        Assert.True(full.Length > 8);
        int[] cut = bert.WithTruncation(8).EncodeToIds(Text);
        Assert.Equal([cls, .. full[1..7], sep], cut);
        Assert.Equal(full, bert.WithTruncation(full.Length).EncodeToIds(Text));
        Assert.Equal(full[1..7], bert.WithTruncation(6).EncodeToIds(Text, addSpecialTokens: false));
    }

    [Fact]
    public void WithTruncation_BosAndEosOptions_KeepsBothEnds()
    {
        Tokenizer bytes = TinyModels.Bytes.WithOptions(new TokenizerOptions { AddBos = true, AddEos = true });
        int[] full = bytes.EncodeToIds(Text);
        Assert.Equal((bytes.BosId, bytes.EosId), (full[0], full[^1]));
        Assert.Equal([full[0], .. full[1..5], full[^1]], bytes.WithTruncation(6).EncodeToIds(Text));
    }
}
