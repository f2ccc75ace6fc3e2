using System.Text;
using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Reads Hugging Face's tokenizer.json: every section (added tokens, normalizer, pre-tokenizer, model, post-processor,
/// decoder, truncation, padding) into the pipeline's components. An unknown component type or a malformed field fails
/// with a message naming the file and the JSON path.
/// </summary>
internal static class TokenizerJsonReader
{
    public static Tokenizer Read(Stream stream, string source, TokenizerOptions options)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = new JsonField(doc.RootElement, "$", source);
            if (root.Element.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: the top level is not a JSON object");
            try
            {
                return Read(root, options);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{source}: {e.Message}", e);
            }
        }
    }

    private static Tokenizer Read(JsonField root, TokenizerOptions options)
    {
        var added = new List<AddedToken>();
        if (!root["added_tokens"].IsNull)
        {
            foreach (JsonField t in root["added_tokens"].Items())
            {
                string content = t["content"].String();
                bool special = t["special"].Bool(false);
                added.Add(new AddedToken(t["id"].Id(), content, special)
                {
                    SingleWord = t["single_word"].Bool(false),
                    LStrip = t["lstrip"].Bool(false),
                    RStrip = t["rstrip"].Bool(false),
                    Normalized = t["normalized"].Bool(!special),
                });
            }
        }
        if (root["model"].IsNull)
            throw root.Fail("has no \"model\"");
        TokenizerModel model = ComponentReader.Model(root["model"], options.CacheCapacity);
        Normalizer? normalizer = root["normalizer"].IsNull ? null : ComponentReader.Normalizer(root["normalizer"]);
        PreTokenizerStep? pre = root["pre_tokenizer"].IsNull ? null : ComponentReader.PreTokenizer(root["pre_tokenizer"]);
        PostProcessor? post = root["post_processor"].IsNull ? null : ComponentReader.PostProcessor(root["post_processor"]);
        TokenDecoder? decoder = root["decoder"].IsNull ? null : ComponentReader.Decoder(root["decoder"]);
        TruncationSettings? truncation = root["truncation"].IsNull ? null : TruncationSettings.Read(root["truncation"]);
        PaddingSettings? padding = root["padding"].IsNull ? null : PaddingSettings.Read(root["padding"]);
        return new Tokenizer(model, added, normalizer, pre, post, decoder, truncation, padding, options);
    }
}

/// <summary>Reads each tokenizer.json component by its "type".</summary>
internal static class ComponentReader
{
    public static TokenizerModel Model(JsonField json, int cacheCapacity)
    {
        string type = json["type"].IsNull ? InferModelType(json) : json["type"].String();
        switch (type)
        {
            case "BPE":
                return Bpe(json, cacheCapacity);
            case "WordPiece":
                return new WordPieceModel(Vocabulary(json["vocab"]), json["unk_token"].StringOrNull() ?? "[UNK]",
                    json["continuing_subword_prefix"].StringOrNull() ?? "##", json["max_input_chars_per_word"].Int(100));
            default:
                throw json["type"].Fail($"model type '{type}' is not supported (BPE, WordPiece, WordLevel, Unigram)");
        }
    }

    public static Normalizer Normalizer(JsonField json)
    {
        string type = json.Type();
        return type switch
        {
            "BertNormalizer" => new BertNormalizer(json["clean_text"].Bool(true), json["handle_chinese_chars"].Bool(true),
                json["strip_accents"].BoolOrNull(), json["lowercase"].Bool(true)),
            "NFC" => new UnicodeFormNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeFormNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeFormNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeFormNormalizer(NormalizationForm.FormKD),
            "Lowercase" => LowercaseNormalizer.Instance,
            "StripAccents" => StripAccentsNormalizer.Instance,
            "Strip" => new StripNormalizer(json["strip_left"].Bool(true), json["strip_right"].Bool(true)),
            "Replace" => Replace(json),
            "Prepend" => new PrependNormalizer(json["prepend"].String()),
            "Sequence" => new SequenceNormalizer(json["normalizers"].Items().Select(Normalizer).ToArray()),
            _ => throw json["type"].Fail($"normalizer '{type}' is not supported"),
        };
    }

    public static PreTokenizerStep PreTokenizer(JsonField json)
    {
        string type = json.Type();
        return type switch
        {
            "ByteLevel" => new ByteLevelPreTokenizer(json["add_prefix_space"].Bool(true), json["use_regex"].Bool(true), json["trim_offsets"].Bool(true)),
            "BertPreTokenizer" => CharacterClassPreTokenizer.BertPreTokenizer,
            "Whitespace" => WhitespacePreTokenizer.Instance,
            "WhitespaceSplit" => CharacterClassPreTokenizer.WhitespaceSplit,
            "Punctuation" => CharacterClassPreTokenizer.Punctuation(json["behavior"].IsNull ? SplitBehavior.Isolated : Splitter.ReadBehavior(json["behavior"])),
            "Digits" => CharacterClassPreTokenizer.Digits(json["individual_digits"].Bool(false)),
            "CharDelimiterSplit" => CharacterClassPreTokenizer.CharDelimiterSplit(SingleChar(json["delimiter"])),
            "Metaspace" => Metaspace(json),
            "Split" => Split(json),
            "Sequence" => new SequencePreTokenizer(json["pretokenizers"].Items().Select(PreTokenizer).ToArray()),
            _ => throw json["type"].Fail($"pre-tokenizer '{type}' is not supported"),
        };
    }

    public static PostProcessor PostProcessor(JsonField json)
    {
        string type = json.Type();
        return type switch
        {
            "TemplateProcessing" => TemplateProcessing.Read(json),
            "BertProcessing" => BertProcessing.Read(json, roberta: false),
            "RobertaProcessing" => BertProcessing.Read(json, roberta: true),
            "ByteLevel" => new ByteLevelPostProcessor(json["add_prefix_space"].Bool(true), json["trim_offsets"].Bool(true), json["use_regex"].Bool(true)),
            "Sequence" => new SequencePostProcessor(json["processors"].Items().Select(PostProcessor).ToArray()),
            _ => throw json["type"].Fail($"post-processor '{type}' is not supported"),
        };
    }

    public static TokenDecoder Decoder(JsonField json)
    {
        string type = json.Type();
        return type switch
        {
            "ByteLevel" => new ByteLevelDecoder(json["add_prefix_space"].Bool(true), json["trim_offsets"].Bool(true), json["use_regex"].Bool(true)),
            "WordPiece" => new WordPieceDecoder(json["prefix"].StringOrNull() ?? "##", json["cleanup"].Bool(true)),
            "Metaspace" => Metaspace(json) is var m ? new MetaspaceDecoder(m.Replacement, m.PrependScheme, m.SplitOnReplacement) : null!,
            "BPEDecoder" => new BpeSuffixDecoder(json["suffix"].StringOrNull() ?? "</w>"),
            "ByteFallback" => ByteFallbackDecoder.Instance,
            "Fuse" => FuseDecoder.Instance,
            "Strip" => new StripDecoder(SingleChar(json["content"]), json["start"].Int(0), json["stop"].Int(0)),
            "Replace" => new ReplaceDecoder(Replace(json)),
            "CTC" => new CtcDecoder(json["pad_token"].StringOrNull() ?? "<pad>", json["word_delimiter_token"].StringOrNull() ?? "|", json["cleanup"].Bool(true)),
            "Sequence" => new SequenceDecoder(json["decoders"].Items().Select(Decoder).ToArray()),
            _ => throw json["type"].Fail($"decoder '{type}' is not supported"),
        };
    }

    /// <summary>A vocabulary object ("token": id).</summary>
    public static Dictionary<string, int> Vocabulary(JsonField json)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        if (json.IsNull)
            throw json.Fail("is missing");
        foreach ((string token, JsonField id) in json.Members())
            vocab[token] = id.Id();
        return vocab;
    }

    private static BpeModel Bpe(JsonField json, int cacheCapacity)
    {
        JsonField dropout = json["dropout"];
        if (!dropout.IsNull && dropout.Double() != 0)
            throw dropout.Fail($"BPE dropout {dropout} is not supported (encoding would be random); use null or 0");
        Dictionary<string, int> vocab = Vocabulary(json["vocab"]);
        var options = new BpeModelOptions
        {
            UnkToken = json["unk_token"].StringOrNull(),
            ContinuingSubwordPrefix = json["continuing_subword_prefix"].StringOrNull(),
            EndOfWordSuffix = json["end_of_word_suffix"].StringOrNull(),
            FuseUnk = json["fuse_unk"].Bool(false),
            ByteFallback = json["byte_fallback"].Bool(false),
            IgnoreMerges = json["ignore_merges"].Bool(false),
        };
        int prefix = options.ContinuingSubwordPrefix?.Length ?? 0;
        var merges = new List<BpeMerge>();
        if (!json["merges"].IsNull)
        {
            foreach (JsonField m in json["merges"].Items())
            {
                (string a, string b) = MergePair(m);
                int left = MergeId(vocab, a, m), right = MergeId(vocab, b, m);
                string merged = a + (b.Length >= prefix ? b[prefix..] : b);
                merges.Add(new BpeMerge(left, right, merges.Count, MergeId(vocab, merged, m)));
            }
        }
        return new BpeModel(vocab, merges, options, cacheCapacity);
    }

    private static (string A, string B) MergePair(JsonField m)
    {
        if (m.Element.ValueKind == JsonValueKind.String)
        {
            string text = m.String();
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                throw m.Fail($"merge '{text}' is not two tokens separated by one space");
            return (text[..space], text[(space + 1)..]);
        }
        if (m.Element.ValueKind == JsonValueKind.Array && m.Element.GetArrayLength() == 2
            && m.Element[0].ValueKind == JsonValueKind.String && m.Element[1].ValueKind == JsonValueKind.String)
            return (m.Element[0].GetString()!, m.Element[1].GetString()!);
        throw m.Fail("merge is neither \"a b\" nor [\"a\", \"b\"]");
    }

    private static int MergeId(Dictionary<string, int> vocab, string token, JsonField m) =>
        vocab.TryGetValue(token, out int id) ? id : throw m.Fail($"merge: token '{token}' is not in the vocab");

    private static string InferModelType(JsonField json) =>
        json.Has("merges") ? "BPE" : json.Has("continuing_subword_prefix") || json.Has("max_input_chars_per_word") ? "WordPiece"
        : throw json.Fail("has no \"type\"");

    private static ReplaceNormalizer Replace(JsonField json)
    {
        JsonField pattern = json["pattern"];
        string content = json["content"].String();
        try
        {
            if (pattern.Has("Regex"))
                return new ReplaceNormalizer(pattern["Regex"].String(), true, content);
            if (pattern.Has("String"))
                return new ReplaceNormalizer(pattern["String"].String(), false, content);
        }
        catch (ArgumentException e)
        {
            throw pattern.Fail($"not a valid regular expression ({e.Message})");
        }
        throw pattern.Fail("has neither \"Regex\" nor \"String\"");
    }

    private static SplitPreTokenizer Split(JsonField json)
    {
        JsonField pattern = json["pattern"];
        SplitBehavior behavior = Splitter.ReadBehavior(json["behavior"]);
        bool invert = json["invert"].Bool(false);
        try
        {
            if (pattern.Has("Regex"))
                return new SplitPreTokenizer(pattern["Regex"].String(), true, behavior, invert);
            if (pattern.Has("String"))
                return new SplitPreTokenizer(pattern["String"].String(), false, behavior, invert);
        }
        catch (ArgumentException e)
        {
            throw pattern.Fail($"not a valid regular expression ({e.Message})");
        }
        throw pattern.Fail("has neither \"Regex\" nor \"String\"");
    }

    private static MetaspacePreTokenizer Metaspace(JsonField json)
    {
        char replacement = json["replacement"].IsNull ? '▁' : SingleChar(json["replacement"]);
        string scheme = json["prepend_scheme"].StringOrNull() ?? (json["add_prefix_space"].Bool(true) ? "always" : "never");
        if (scheme is not ("always" or "first" or "never"))
            throw json["prepend_scheme"].Fail($"'{scheme}' is not always, first or never");
        return new MetaspacePreTokenizer(replacement, scheme, json["split"].Bool(true));
    }

    private static char SingleChar(JsonField json)
    {
        string s = json.String();
        return s.Length == 1 ? s[0] : throw json.Fail($"'{s}' is not a single character");
    }
}
