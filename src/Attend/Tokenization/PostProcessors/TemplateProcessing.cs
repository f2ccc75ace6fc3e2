using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's <c>TemplateProcessing</c>: a single and a pair template of pieces, each either a sequence (A or B)
/// or a special token (one or more ids), each with its type id; e.g. <c>[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1</c>.
/// Without special tokens only the sequences are kept, with the template's type ids.
/// </summary>
internal sealed class TemplateProcessing : PostProcessor
{
    public TemplateProcessing(IReadOnlyList<TemplatePiece> single, IReadOnlyList<TemplatePiece> pair,
        IReadOnlyDictionary<string, TemplateSpecialToken> specialTokens)
    {
        Single = single;
        Pair = pair;
        SpecialTokens = specialTokens;
    }

    public IReadOnlyList<TemplatePiece> Single { get; }

    public IReadOnlyList<TemplatePiece> Pair { get; }

    public IReadOnlyDictionary<string, TemplateSpecialToken> SpecialTokens { get; }

    /// <summary>Attend's own convention: nothing added; A has type 0 and B type 1.</summary>
    public static TemplateProcessing Plain { get; } = new(
        [new TemplatePiece(null, 'A', 0)], [new TemplatePiece(null, 'A', 0), new TemplatePiece(null, 'B', 1)],
        new Dictionary<string, TemplateSpecialToken>());

    public override int AddedTokens(bool pair) =>
        (pair ? Pair : Single).Where(p => p.SpecialToken is not null).Sum(p => SpecialTokens[p.SpecialToken!].Ids.Count);

    public override List<EncodingParts> ProcessEncodings(List<EncodingParts> encodings, bool addSpecialTokens)
    {
        var result = new List<EncodingParts>();
        foreach (TemplatePiece piece in encodings.Count > 1 ? Pair : Single)
        {
            if (piece.SpecialToken is null)
            {
                EncodingParts sequence = encodings[piece.Sequence == 'A' ? 0 : 1];
                SetTypeIds(sequence, piece.TypeId);
                result.Add(sequence);
            }
            else if (addSpecialTokens)
            {
                TemplateSpecialToken token = SpecialTokens[piece.SpecialToken];
                var part = new EncodingParts(encodings[0].Detailed);
                for (int i = 0; i < token.Ids.Count; i++)
                    part.AddSpecial(token.Ids[i], token.Tokens[i], piece.TypeId);
                result.Add(part);
            }
        }
        return result;
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "TemplateProcessing");
        WriteTemplate(writer, "single", Single);
        WriteTemplate(writer, "pair", Pair);
        writer.WriteStartObject("special_tokens");
        foreach ((string name, TemplateSpecialToken token) in SpecialTokens.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(name);
            writer.WriteString("id", name);
            writer.WriteStartArray("ids");
            foreach (int id in token.Ids)
                writer.WriteNumberValue(id);
            writer.WriteEndArray();
            writer.WriteStartArray("tokens");
            foreach (string t in token.Tokens)
                writer.WriteStringValue(t);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Reads the component; every special token a template names must be defined, with as many ids as tokens.</summary>
    public static TemplateProcessing Read(JsonField json)
    {
        var specials = new Dictionary<string, TemplateSpecialToken>(StringComparer.Ordinal);
        JsonField tokens = json["special_tokens"];
        if (!tokens.IsNull)
        {
            foreach ((string name, JsonField t) in tokens.Members())
            {
                int[] ids = t["ids"].Items().Select(i => i.Id()).ToArray();
                string[] strings = t["tokens"].Items().Select(i => i.String()).ToArray();
                if (ids.Length != strings.Length)
                    throw t.Fail($"has {ids.Length} ids but {strings.Length} tokens");
                specials[name] = new TemplateSpecialToken(ids, strings);
            }
        }
        return new TemplateProcessing(ReadTemplate(json["single"], specials), ReadTemplate(json["pair"], specials), specials);
    }

    private static List<TemplatePiece> ReadTemplate(JsonField json, Dictionary<string, TemplateSpecialToken> specials)
    {
        var pieces = new List<TemplatePiece>();
        foreach (JsonField item in json.Items())
        {
            if (item.Has("Sequence"))
            {
                JsonField s = item["Sequence"];
                string id = s["id"].String();
                if (id is not ("A" or "B"))
                    throw s["id"].Fail($"'{id}' is neither \"A\" nor \"B\"");
                pieces.Add(new TemplatePiece(null, id[0], s["type_id"].Int(0)));
            }
            else if (item.Has("SpecialToken"))
            {
                JsonField s = item["SpecialToken"];
                string id = s["id"].String();
                if (!specials.ContainsKey(id))
                    throw s["id"].Fail($"special token '{id}' is not defined in special_tokens");
                pieces.Add(new TemplatePiece(id, ' ', s["type_id"].Int(0)));
            }
            else
            {
                throw item.Fail("is neither a Sequence nor a SpecialToken piece");
            }
        }
        return pieces;
    }

    private static void WriteTemplate(Utf8JsonWriter writer, string name, IReadOnlyList<TemplatePiece> pieces)
    {
        writer.WriteStartArray(name);
        foreach (TemplatePiece p in pieces)
        {
            writer.WriteStartObject();
            writer.WriteStartObject(p.SpecialToken is null ? "Sequence" : "SpecialToken");
            writer.WriteString("id", p.SpecialToken ?? p.Sequence.ToString());
            writer.WriteNumber("type_id", p.TypeId);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}

/// <summary>One piece of a template: a special token (by name) or the sequence 'A' or 'B', with its type id.</summary>
internal sealed record TemplatePiece(string? SpecialToken, char Sequence, int TypeId);

/// <summary>The ids and token strings a template's special token stands for.</summary>
internal sealed record TemplateSpecialToken(IReadOnlyList<int> Ids, IReadOnlyList<string> Tokens);
