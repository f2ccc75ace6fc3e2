using System.Text;
using System.Text.Json.Nodes;
using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

public class TokenizerJsonTests
{
    [Fact]
    public void SaveThenLoad_GivesTheSameIds()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string path = Path.Combine(folder, "tokenizer.json");
        TokenizerTestData.Small.SaveTokenizerJson(path);
        BpeTokenizer loaded = BpeTokenizer.FromTokenizerJson(path);
        Assert.Equal(TokenizerTestData.Small.EncodeToIds(TokenizerTestData.Multilingual), loaded.EncodeToIds(TokenizerTestData.Multilingual));
        Assert.Equal(TokenizerTestData.Small.VocabularySize, loaded.VocabularySize);
        Assert.Equal(TokenizerTestData.Small.PadId, loaded.PadId);
        Assert.Single(Directory.GetFiles(folder));
    }

    [Fact]
    public void Save_WritesHuggingFaceFields()
    {
        JsonNode json = Saved(TokenizerTestData.Small);
        Assert.Equal("BPE", (string?)json["model"]!["type"]);
        Assert.Equal("ByteLevel", (string?)json["pre_tokenizer"]!["type"]);
        Assert.False((bool)json["pre_tokenizer"]!["add_prefix_space"]!);
        Assert.True((bool)json["pre_tokenizer"]!["use_regex"]!);
        Assert.Equal("ByteLevel", (string?)json["decoder"]!["type"]);
        Assert.IsType<JsonArray>(json["model"]!["merges"]![0]);
        Assert.True((bool)json["added_tokens"]![0]!["special"]!);
        Assert.Equal("<pad>", (string?)json["added_tokens"]![0]!["content"]);
    }

    [Fact]
    public void Load_MergesAsSpaceSeparatedStrings_GivesTheSameIds()
    {
        JsonNode json = Saved(TokenizerTestData.Small);
        var merges = json["model"]!["merges"]!.AsArray();
        var asStrings = new JsonArray(merges.Select(m => (JsonNode)JsonValue.Create($"{m![0]} {m[1]}")).ToArray());
        json["model"]!["merges"] = asStrings;
        BpeTokenizer loaded = BpeTokenizer.FromTokenizerJson(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())), "t.json");
        Assert.Equal(TokenizerTestData.Small.EncodeToIds(TokenizerTestData.Multilingual), loaded.EncodeToIds(TokenizerTestData.Multilingual));
    }

    [Fact]
    public void SaveThenLoad_CustomPattern_KeepsThePreTokenizer()
    {
        BpeTokenizer trained = BpeTokenizer.Train(TokenizerTestData.SmallCorpus(),
            new BpeTrainerOptions { VocabularySize = 400, PreTokenizer = PreTokenizer.Whitespace });
        BpeTokenizer loaded = Reload(trained);
        Assert.Equal(PreTokenizer.WhitespacePattern, loaded.PreTokenizer.Pattern);
        Assert.Equal(trained.EncodeToIds(TokenizerTestData.Multilingual), loaded.EncodeToIds(TokenizerTestData.Multilingual));
    }

    [Fact]
    public void SaveThenLoad_TiktokenRanks_KeepsTiktokenEncoding()
    {
        BpeTokenizer loaded = Reload(TokenizerTestData.Gpt2);
        Assert.Equal(TokenizerTestData.Gpt2.EncodeToIds(TokenizerTestData.Multilingual), loaded.EncodeToIds(TokenizerTestData.Multilingual));
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"model\":{\"type\":\"WordPiece\",\"vocab\":{}}}", "model type 'WordPiece' is not supported")]
    [InlineData("{\"model\":{\"type\":\"BPE\"}}", "missing \"vocab\"")]
    [InlineData("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a b\":0}}}", "is not byte-level text")]
    [InlineData("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":\"x\"}}}", "has no valid id")]
    [InlineData("{\"added_tokens\":[{\"id\":-1,\"content\":\"<s>\"}],\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}}}", "special token '<s>' has a negative id")]
    public void Load_Malformed_ThrowsMessageNamingFileAndProblem(string json, string problem)
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string path = Path.Combine(folder, "bad.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MergeOfUnknownToken_ThrowsMessageNamingTheMerge()
    {
        JsonNode json = Saved(TokenizerTestData.Small);
        json["model"]!["merges"]!.AsArray().Add(new JsonArray("Ġthe", "zzzq"));
        var e = Assert.Throws<InvalidDataException>(() =>
            BpeTokenizer.FromTokenizerJson(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())), "x.json"));
        Assert.Contains("x.json: merge", e.Message, StringComparison.Ordinal);
        Assert.Contains("'zzzq' is not in the vocab", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_VocabularyWithoutSomeBytes_EncodesKnownBytesAndRejectsOthersClearly()
    {
        const string json = "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\"]}}";
        BpeTokenizer t = BpeTokenizer.FromTokenizerJson(new MemoryStream(Encoding.UTF8.GetBytes(json)), "partial.json");
        Assert.Equal([2, 0], t.EncodeToIds("aba"));
        var e = Assert.Throws<ArgumentException>(() => t.EncodeToIds("c"));
        Assert.Contains("byte 0x63 has no token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TruncatedFile_ThrowsNotValidJson()
    {
        var bytes = new MemoryStream();
        TokenizerTestData.Small.SaveTokenizerJson(bytes);
        byte[] half = bytes.ToArray()[..(int)(bytes.Length / 2)];
        var e = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(new MemoryStream(half), "half.json"));
        Assert.StartsWith("half.json: not valid JSON", e.Message, StringComparison.Ordinal);
    }

    private static JsonNode Saved(BpeTokenizer tokenizer)
    {
        var stream = new MemoryStream();
        tokenizer.SaveTokenizerJson(stream);
        return JsonNode.Parse(stream.ToArray())!;
    }

    private static BpeTokenizer Reload(BpeTokenizer tokenizer)
    {
        var stream = new MemoryStream();
        tokenizer.SaveTokenizerJson(stream);
        stream.Position = 0;
        return BpeTokenizer.FromTokenizerJson(stream, "reloaded.json");
    }
}
