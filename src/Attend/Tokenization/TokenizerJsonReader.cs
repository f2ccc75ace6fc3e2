using System.Text.Json;
using System.Text.RegularExpressions;

namespace Attend.Tokenization;

/// <summary>
/// Reads Hugging Face's tokenizer.json for byte-level BPE: merges as "a b" strings or [a, b] arrays, added tokens as
/// special tokens, and a ByteLevel / Split+ByteLevel / absent pre-tokenizer. Anything else fails with a message
/// naming the file and the problem.
/// </summary>
internal static class TokenizerJsonReader
{
    public static BpeTokenizer Read(Stream stream, string source, BpeTokenizerOptions options)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            try
            {
                return Read(doc.RootElement, source, options);
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidDataException($"{source}: unexpected JSON value ({e.Message})", e);
            }
        }
    }

    private static BpeTokenizer Read(JsonElement root, string source, BpeTokenizerOptions options)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Fail(source, "the top level is not a JSON object");
        if (!root.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object)
            throw Fail(source, "no \"model\" object");
        if (model.TryGetProperty("type", out JsonElement type) && type.GetString() != "BPE")
            throw Fail(source, $"model type '{type.GetString()}' is not supported (only BPE)");
        if (root.TryGetProperty("normalizer", out JsonElement normalizer) && normalizer.ValueKind != JsonValueKind.Null)
            throw Fail(source, "a normalizer is not supported (byte-level BPE expects \"normalizer\": null)");

        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out JsonElement added) && added.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement t in added.EnumerateArray())
            {
                string content = Property(t, "content", source).GetString() ?? throw Fail(source, "an added token has no content");
                specials[content] = Property(t, "id", source).GetInt32();
            }
        }
        var specialIds = specials.Values.ToHashSet();

        JsonElement vocab = Property(model, "vocab", source);
        if (vocab.ValueKind != JsonValueKind.Object)
            throw Fail(source, "model.vocab is not an object");
        var byText = new Dictionary<string, int>(StringComparer.Ordinal);
        var byId = new Dictionary<int, byte[]>();
        foreach (JsonProperty p in vocab.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw Fail(source, $"vocab entry '{p.Name}' has no valid id");
            if (!byText.TryAdd(p.Name, id))
                throw Fail(source, $"vocab token '{p.Name}' appears twice");
            if (specialIds.Contains(id))
                continue;
            byte[] bytes = ByteLevelAlphabet.TryToBytes(p.Name)
                ?? throw Fail(source, $"vocab token '{p.Name}' (id {id}) is not byte-level text (GPT-2's byte-to-unicode alphabet)");
            if (!byId.TryAdd(id, bytes))
                throw Fail(source, $"id {id} is given to two vocab tokens");
        }
        foreach ((string content, int id) in specials)
            if (byId.ContainsKey(id))
                throw Fail(source, $"special token '{content}' has id {id}, which a vocab token already uses");
        if (byId.Count == 0)
            throw Fail(source, "model.vocab is empty");
        var tokens = new byte[]?[byId.Keys.Max() + 1];
        foreach ((int id, byte[] bytes) in byId)
            tokens[id] = bytes;

        var merges = new List<BpeMerge>();
        if (model.TryGetProperty("merges", out JsonElement mergesElement))
        {
            if (mergesElement.ValueKind != JsonValueKind.Array)
                throw Fail(source, "model.merges is not an array");
            foreach (JsonElement m in mergesElement.EnumerateArray())
            {
                (string a, string b) = MergePair(m, merges.Count, source);
                int left = Id(byText, a, merges.Count, source), right = Id(byText, b, merges.Count, source);
                int result = Id(byText, a + b, merges.Count, source);
                merges.Add(new BpeMerge(left, right, merges.Count, result));
            }
        }
        bool ignoreMerges = model.TryGetProperty("ignore_merges", out JsonElement ignore) && ignore.ValueKind == JsonValueKind.True;
        PreTokenizer pre = ReadPreTokenizer(root, source);
        try
        {
            return new BpeTokenizer(tokens, specials, new BpeMergeTable(merges), pre, options, ignoreMerges, requireAllBytes: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    private static (string A, string B) MergePair(JsonElement m, int index, string source)
    {
        if (m.ValueKind == JsonValueKind.String)
        {
            string text = m.GetString()!;
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                throw Fail(source, $"merge {index} '{text}' is not two tokens separated by one space");
            return (text[..space], text[(space + 1)..]);
        }
        if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2
            && m[0].ValueKind == JsonValueKind.String && m[1].ValueKind == JsonValueKind.String)
            return (m[0].GetString()!, m[1].GetString()!);
        throw Fail(source, $"merge {index} is neither \"a b\" nor [\"a\", \"b\"]");
    }

    private static int Id(Dictionary<string, int> byText, string token, int index, string source) =>
        byText.TryGetValue(token, out int id) ? id : throw Fail(source, $"merge {index}: token '{token}' is not in the vocab");

    private static PreTokenizer ReadPreTokenizer(JsonElement root, string source)
    {
        if (!root.TryGetProperty("pre_tokenizer", out JsonElement pre) || pre.ValueKind == JsonValueKind.Null)
            return PreTokenizer.None;
        string? type = Property(pre, "type", source).GetString();
        switch (type)
        {
            case "ByteLevel":
                return !pre.TryGetProperty("use_regex", out JsonElement useRegex) || useRegex.ValueKind == JsonValueKind.True
                    ? PreTokenizer.Gpt2
                    : PreTokenizer.None;
            case "Split":
                return SplitPattern(pre, source);
            case "Sequence":
                PreTokenizer result = PreTokenizer.None;
                foreach (JsonElement step in Property(pre, "pretokenizers", source).EnumerateArray())
                {
                    string? stepType = Property(step, "type", source).GetString();
                    if (stepType == "Split" && result == PreTokenizer.None)
                        result = SplitPattern(step, source);
                    else if (stepType == "ByteLevel" && step.TryGetProperty("use_regex", out JsonElement r) && r.ValueKind == JsonValueKind.True)
                        result = result == PreTokenizer.None ? PreTokenizer.Gpt2 : throw Fail(source, "two regex pre-tokenizers in sequence are not supported");
                    else if (stepType != "ByteLevel")
                        throw Fail(source, $"pre_tokenizer '{stepType}' is not supported");
                }
                return result;
            default:
                throw Fail(source, $"pre_tokenizer '{type}' is not supported (ByteLevel, Split or a Sequence of them)");
        }
    }

    private static PreTokenizer SplitPattern(JsonElement split, string source)
    {
        JsonElement pattern = Property(split, "pattern", source);
        try
        {
            if (pattern.TryGetProperty("Regex", out JsonElement regex))
                return PreTokenizer.FromPattern(regex.GetString()!);
            if (pattern.TryGetProperty("String", out JsonElement literal))
                return PreTokenizer.FromPattern(Regex.Escape(literal.GetString()!));
        }
        catch (ArgumentException e)
        {
            throw Fail(source, $"the Split pattern is not a valid regular expression ({e.Message})");
        }
        throw Fail(source, "the Split pattern has neither \"Regex\" nor \"String\"");
    }

    private static JsonElement Property(JsonElement element, string name, string source) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value)
            ? value
            : throw Fail(source, $"missing \"{name}\"");

    private static InvalidDataException Fail(string source, string problem) => new($"{source}: {problem}");
}
