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
        Tokenizer loaded = Tokenizer.FromTokenizerJson(path);
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
        Tokenizer loaded = Tokenizer.FromTokenizerJson(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())), "t.json");
        Assert.Equal(TokenizerTestData.Small.EncodeToIds(TokenizerTestData.Multilingual), loaded.EncodeToIds(TokenizerTestData.Multilingual));
    }

    [Fact]
    public void SaveThenLoad_CustomPattern_KeepsThePreTokenizer()
    {
        Tokenizer trained = Tokenizer.Train(TokenizerTestData.SmallCorpus(),
            new BpeTrainerOptions { VocabularySize = 400, PreTokenizer = PreTokenizer.Whitespace });
        Tokenizer loaded = Reload(trained);
        Assert.Equal(PreTokenizer.WhitespacePattern, loaded.PreTokenizer!.Pattern);
        Assert.Equal(trained.EncodeToIds(TokenizerTestData.Multilingual), loaded.EncodeToIds(TokenizerTestData.Multilingual));
    }

    [Fact]
    public void SaveThenLoad_TiktokenRanks_KeepsTiktokenEncoding()
    {
        Tokenizer loaded = Reload(TokenizerTestData.Gpt2);
        Assert.Equal(TokenizerTestData.Gpt2.EncodeToIds(TokenizerTestData.Multilingual), loaded.EncodeToIds(TokenizerTestData.Multilingual));
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"model\":{\"type\":\"Morse\",\"vocab\":{}}}", "$.model.type: model type 'Morse' is not supported")]
    [InlineData("{\"model\":{\"type\":\"BPE\"}}", "$.model.vocab: is missing")]
    [InlineData("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":\"x\"}}}", "$.model.vocab[\"a\"]: is not an integer")]
    [InlineData("{\"added_tokens\":[{\"id\":-1,\"content\":\"<s>\"}],\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}}}", "$.added_tokens[0].id: id -1 is negative")]
    [InlineData("{\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFC\"},{\"type\":\"Nope\"}]},\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}}}", "$.normalizer.normalizers[1].type: normalizer 'Nope' is not supported")]
    [InlineData("{\"model\":{\"type\":\"BPE\",\"dropout\":0.1,\"vocab\":{\"a\":0}}}", "$.model.dropout: BPE dropout 0.1 is not supported")]
    public void Load_Malformed_ThrowsMessageNamingFileAndProblem(string json, string problem)
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string path = Path.Combine(folder, "bad.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidDataException>(() => Tokenizer.FromTokenizerJson(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MergeOfUnknownToken_ThrowsMessageNamingTheMerge()
    {
        JsonNode json = Saved(TokenizerTestData.Small);
        json["model"]!["merges"]!.AsArray().Add(new JsonArray("Ġthe", "zzzq"));
        var e = Assert.Throws<InvalidDataException>(() =>
            Tokenizer.FromTokenizerJson(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())), "x.json"));
        Assert.Contains("x.json: $.model.merges[", e.Message, StringComparison.Ordinal);
        Assert.Contains("'zzzq' is not in the vocab", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_VocabularyWithoutSomeBytes_SkipsUnknownBytesAsHuggingFaceDoes()
    {
        // A byte-level vocabulary trained without the full alphabet and with no unk_token: Hugging Face drops the
        // bytes it has no token for (and merges across the gap), it does not fail.
        const string json = "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\"]}," +
            "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":false},\"decoder\":{\"type\":\"ByteLevel\"}}";
        Tokenizer t = Tokenizer.FromTokenizerJson(new MemoryStream(Encoding.UTF8.GetBytes(json)), "partial.json");
        Assert.Equal([2, 0], t.EncodeToIds("aba"));
        Assert.Equal([2], t.EncodeToIds("acb"));
        Assert.Empty(t.EncodeToIds("c\u00A1"));
    }

    [Fact]
    public void Load_TruncatedFile_ThrowsNotValidJson()
    {
        var bytes = new MemoryStream();
        TokenizerTestData.Small.SaveTokenizerJson(bytes);
        byte[] half = bytes.ToArray()[..(int)(bytes.Length / 2)];
        var e = Assert.Throws<InvalidDataException>(() => Tokenizer.FromTokenizerJson(new MemoryStream(half), "half.json"));
        Assert.StartsWith("half.json: not valid JSON", e.Message, StringComparison.Ordinal);
    }

    private static JsonNode Saved(Tokenizer tokenizer)
    {
        var stream = new MemoryStream();
        tokenizer.SaveTokenizerJson(stream);
        return JsonNode.Parse(stream.ToArray())!;
    }

    private static Tokenizer Reload(Tokenizer tokenizer)
    {
        var stream = new MemoryStream();
        tokenizer.SaveTokenizerJson(stream);
        stream.Position = 0;
        return Tokenizer.FromTokenizerJson(stream, "reloaded.json");
    }
}
