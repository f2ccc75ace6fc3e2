using System.Text;
using System.Text.Json.Nodes;
using Attend.Cli.Training;
using Attend.Tests.Cli;
using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

/// <summary>The pipeline's contracts beyond parity: post-processor framing where models read input, clear errors, Attend's own convention.</summary>
public class TokenizerPipelineTests
{
    // A word-level tokenizer whose post-processor frames a sequence as <bos> A <eos>, as a translation model's source.
    private const string Framed = """
        {"added_tokens":[{"id":0,"content":"<pad>","special":true},{"id":1,"content":"<bos>","special":true},{"id":2,"content":"<eos>","special":true}],
         "pre_tokenizer":{"type":"WhitespaceSplit"},
         "post_processor":{"type":"TemplateProcessing",
           "single":[{"SpecialToken":{"id":"<bos>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"<eos>","type_id":0}}],
           "pair":[{"Sequence":{"id":"A","type_id":0}},{"Sequence":{"id":"B","type_id":1}}],
           "special_tokens":{"<bos>":{"id":"<bos>","ids":[1],"tokens":["<bos>"]},"<eos>":{"id":"<eos>","ids":[2],"tokens":["<eos>"]}}},
         "model":{"type":"WordLevel","unk_token":"<unk>","vocab":{"<pad>":0,"<bos>":1,"<eos>":2,"<unk>":3,"a":4,"dog":5}}}
        """;

    private static Tokenizer Load(string json, string name = "t.json") =>
        Tokenizer.FromTokenizerJson(new MemoryStream(Encoding.UTF8.GetBytes(json)), name);

    [Fact]
    public void EncodeToIds_AppliesThePostProcessorUnlessSpecialTokensAreOff()
    {
        Tokenizer t = Load(Framed);
        Assert.Equal([1, 4, 5, 2], t.EncodeToIds("a dog"));
        Assert.Equal([4, 5], t.EncodeToIds("a dog", addSpecialTokens: false));
        Assert.Equal([4, 3], t.EncodeToIds("a cat", addSpecialTokens: false));
    }

    [Fact]
    public void ModelInputs_AreFramedAsTheFileSays_TargetsAreNot()
    {
        // attend train/translate/classify encode model inputs through TrainingData.Ids with the post-processor;
        // translation targets leave it out because the batch adds bos and eos itself.
        Tokenizer t = Load(Framed);
        Assert.Equal([1, 4, 5, 2], TrainingData.Ids(t, truncating: null, "a dog", 16, "source line 1"));
        Assert.Equal([4, 5], TrainingData.Ids(t, truncating: null, "a dog", 16, "target line 1", addSpecialTokens: false));
    }

    [Fact]
    public void CliEncode_NoSpecialTokens_LeavesOutThePostProcessorsTokens()
    {
        using TempDirectory folder = TokenizerTestData.TempFolder();
        string path = Path.Combine(folder, "tokenizer.json");
        File.WriteAllText(path, Framed);
        Assert.Equal("1 4 5 2", CliRunner.Run("a dog\n", ["tokenizer", "encode", "--tokenizer", path]).Out.Trim());
        Assert.Equal("4 5", CliRunner.Run("a dog\n", ["tokenizer", "encode", "--tokenizer", path, "--no-special-tokens"]).Out.Trim());
    }

    [Fact]
    public void Train_WritesAttendsConvention_APostProcessorThatAddsNothing()
    {
        var stream = new MemoryStream();
        TokenizerTestData.Small.SaveTokenizerJson(stream);
        JsonNode post = JsonNode.Parse(stream.ToArray())!["post_processor"]!;
        Assert.Equal("TemplateProcessing", (string?)post["type"]);
        Assert.Single(post["single"]!.AsArray());
        Assert.Empty(post["special_tokens"]!.AsObject());
        Assert.Equal(TokenizerTestData.Small.EncodeToIds("the lowest", addSpecialTokens: false), TokenizerTestData.Small.EncodeToIds("the lowest"));
    }

    [Theory]
    [InlineData("\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[X]\",\"type_id\":0}}],\"pair\":[],\"special_tokens\":{}},",
        "$.post_processor.single[0].SpecialToken.id: special token '[X]' is not defined")]
    [InlineData("\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(\"},\"behavior\":\"Isolated\",\"invert\":false},",
        "$.pre_tokenizer.pattern: not a valid regular expression")]
    [InlineData("\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"String\":\"x\"},\"behavior\":\"Sideways\",\"invert\":false},",
        "$.pre_tokenizer.behavior: 'Sideways' is not a split behavior")]
    [InlineData("\"decoder\":{\"type\":\"Telepathy\"},", "$.decoder.type: decoder 'Telepathy' is not supported")]
    [InlineData("\"normalizer\":{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"!!\"},", "$.normalizer.precompiled_charsmap: is not valid base64")]
    [InlineData("\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\"],\"cls\":[\"[CLS]\",1]},", "$.post_processor.sep: is not a [token, id] pair")]
    public void Load_BadComponent_NamesTheFileAndTheJsonPath(string component, string problem)
    {
        string json = "{" + component + "\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"<unk>\",\"vocab\":{\"<unk>\":0}}}";
        var e = Assert.Throws<InvalidDataException>(() => Load(json, "bad.json"));
        Assert.StartsWith("bad.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnigramUnkIdOutOfRange_NamesTheField()
    {
        var e = Assert.Throws<InvalidDataException>(() => Load("{\"model\":{\"type\":\"Unigram\",\"unk_id\":5,\"vocab\":[[\"a\",-1.0]]}}", "u.json"));
        Assert.Contains("u.json: $.model.unk_id: unk_id 5 is outside the vocabulary of 1 pieces", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unigram_Viterbi_PrefersTheHigherTotalScore()
    {
        // "abc": a + bc = -1 - 1 = -2 beats ab + c = -1.5 - 1 = -2.5 and a + b + c = -3; "x" has no piece: unk.
        Tokenizer t = Load("{\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"<unk>\",0.0],[\"a\",-1.0],[\"b\",-1.0],[\"c\",-1.0],[\"ab\",-1.5],[\"bc\",-1.0]]}}");
        Assert.Equal([1, 5], t.EncodeToIds("abc"));
        Assert.Equal([1, 0], t.EncodeToIds("ax"));
    }
}
