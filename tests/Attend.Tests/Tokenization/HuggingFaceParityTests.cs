using System.Text;
using System.Text.Json;
using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

/// <summary>
/// Every tokenizer.json under Fixtures/tokenizers (built and answered by Hugging Face tokenizers, see
/// tests/tokenizers/make_fixtures.js) gives HF's ids, tokens, type ids, attention mask and decoded text on every
/// line of the test text, with and without special tokens, and for a pair.
/// </summary>
public class HuggingFaceParityTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string dir in Directory.GetDirectories(Folder).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_EqualsHuggingFace(string name)
    {
        Tokenizer tokenizer = Tokenizer.FromTokenizerJson(Path.Combine(Folder, name, "tokenizer.json"));
        AssertMatches(tokenizer, Expected(name), name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WrittenThenRead_EqualsHuggingFace(string name)
    {
        Tokenizer tokenizer = Tokenizer.FromTokenizerJson(Path.Combine(Folder, name, "tokenizer.json"));
        var stream = new MemoryStream();
        tokenizer.SaveTokenizerJson(stream);
        stream.Position = 0;
        AssertMatches(Tokenizer.FromTokenizerJson(stream, $"{name} (written by Attend)"), Expected(name), name);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void BertVocabTxt_GivesTheIdsOfHuggingFacesBertPipeline(string newline)
    {
        // bert-uncased is the pipeline transformers builds for bert-base-uncased; its vocabulary written as vocab.txt
        // must load into the same tokenizer.
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "bert-uncased", "tokenizer.json")));
        var vocab = json.RootElement.GetProperty("model").GetProperty("vocab").EnumerateObject().OrderBy(p => p.Value.GetInt32()).Select(p => p.Name);
        using TempDirectory dir = TokenizerTestData.TempFolder();
        string path = Path.Combine(dir, "vocab.txt");
        File.WriteAllText(path, string.Concat(vocab.Select(t => t + newline)), new UTF8Encoding(false));
        AssertMatches(Tokenizer.FromBertVocab(path), Expected("bert-uncased"), "vocab.txt");
    }

    private static void AssertMatches(Tokenizer tokenizer, JsonElement expected, string name)
    {
        foreach (JsonElement line in expected.EnumerateArray())
        {
            string text = line.GetProperty("text").GetString()!;
            string where = $"{name}: \"{text}\"";
            TokenEncoding e = tokenizer.Encode(text);
            Assert.True(Ints(line, "ids").SequenceEqual(e.Ids), $"{where}: ids {string.Join(' ', e.Ids)}, HF {string.Join(' ', Ints(line, "ids"))}");
            Assert.True(Strings(line, "tokens").SequenceEqual(e.Tokens), $"{where}: tokens {string.Join(' ', e.Tokens)}");
            Assert.True(Ints(line, "type_ids").SequenceEqual(e.TypeIds), $"{where}: type ids");
            Assert.True(Ints(line, "attention_mask").SequenceEqual(e.AttentionMask.Select(m => m ? 1 : 0)), $"{where}: attention mask");
            Assert.True(Ints(line, "ids").SequenceEqual(tokenizer.EncodeToIds(text)), $"{where}: EncodeToIds");
            TokenEncoding plain = tokenizer.Encode(text, addSpecialTokens: false);
            Assert.True(Ints(line, "ids_plain").SequenceEqual(plain.Ids), $"{where}: ids without special tokens {string.Join(' ', plain.Ids)}");
            Assert.True(Strings(line, "tokens_plain").SequenceEqual(plain.Tokens), $"{where}: tokens without special tokens");
            Assert.True(Ints(line, "ids_plain").SequenceEqual(tokenizer.EncodeToIds(text, addSpecialTokens: false)), $"{where}: EncodeToIds without special tokens");
            TokenEncoding pair = tokenizer.Encode(text, "A second sequence, 2nd.");
            Assert.True(Ints(line, "pair_ids").SequenceEqual(pair.Ids), $"{where}: pair ids {string.Join(' ', pair.Ids)}");
            Assert.True(Ints(line, "pair_type_ids").SequenceEqual(pair.TypeIds), $"{where}: pair type ids");
            int[] ids = Ints(line, "ids");
            Assert.Equal(line.GetProperty("decoded").GetString(), tokenizer.Decode(ids));
            Assert.Equal(line.GetProperty("decoded_skip").GetString(), tokenizer.Decode(ids, skipSpecialTokens: true));
        }
    }

    private static JsonElement Expected(string name) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, name, "expected.json"))).RootElement;

    private static int[] Ints(JsonElement line, string property) => line.GetProperty(property).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static string[] Strings(JsonElement line, string property) => line.GetProperty(property).EnumerateArray().Select(v => v.GetString()!).ToArray();
}
