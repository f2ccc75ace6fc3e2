using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's <c>BertProcessing</c> (<c>[CLS] A [SEP]</c>, pair <c>[CLS] A [SEP] B [SEP]</c> with type ids 0 then 1)
/// and <c>RobertaProcessing</c> (<c>&lt;s&gt; A &lt;/s&gt;</c>, pair <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c>, type ids all 0).
/// </summary>
internal sealed class BertProcessing : PostProcessor
{
    public BertProcessing(bool roberta, (string Token, int Id) sep, (string Token, int Id) cls, bool trimOffsets = true, bool addPrefixSpace = true)
    {
        Roberta = roberta;
        Sep = sep;
        Cls = cls;
        TrimOffsets = trimOffsets;
        AddPrefixSpace = addPrefixSpace;
    }

    public bool Roberta { get; }

    public (string Token, int Id) Sep { get; }

    public (string Token, int Id) Cls { get; }

    public bool TrimOffsets { get; }

    public bool AddPrefixSpace { get; }

    public override int AddedTokens(bool pair) => pair ? (Roberta ? 4 : 3) : 2;

    public override List<EncodingParts> ProcessEncodings(List<EncodingParts> encodings, bool addSpecialTokens)
    {
        if (Roberta)
            foreach (EncodingParts e in encodings)
                SetTypeIds(e, 0);
        if (!addSpecialTokens)
            return encodings;
        bool detailed = encodings[0].Detailed;
        var a = new EncodingParts(detailed);
        a.AddSpecial(Cls.Id, Cls.Token, 0);
        a.AddSequence(encodings[0], null);
        a.AddSpecial(Sep.Id, Sep.Token, 0);
        if (encodings.Count == 1)
            return [a];
        var b = new EncodingParts(detailed);
        if (Roberta)
            b.AddSpecial(Sep.Id, Sep.Token, 0);
        b.AddSequence(encodings[1], null);
        b.AddSpecial(Sep.Id, Sep.Token, Roberta ? 0 : 1);
        return [a, b];
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Roberta ? "RobertaProcessing" : "BertProcessing");
        WritePair(writer, "sep", Sep);
        WritePair(writer, "cls", Cls);
        if (Roberta)
        {
            writer.WriteBoolean("trim_offsets", TrimOffsets);
            writer.WriteBoolean("add_prefix_space", AddPrefixSpace);
        }
        writer.WriteEndObject();
    }

    public static BertProcessing Read(JsonField json, bool roberta) =>
        new(roberta, ReadPair(json["sep"]), ReadPair(json["cls"]), json["trim_offsets"].Bool(true), json["add_prefix_space"].Bool(true));

    private static (string, int) ReadPair(JsonField json)
    {
        JsonField[] items = json.Items().ToArray();
        if (items.Length != 2)
            throw json.Fail("is not a [token, id] pair");
        return (items[0].String(), items[1].Id());
    }

    private static void WritePair(Utf8JsonWriter writer, string name, (string Token, int Id) pair)
    {
        writer.WriteStartArray(name);
        writer.WriteStringValue(pair.Token);
        writer.WriteNumberValue(pair.Id);
        writer.WriteEndArray();
    }
}

/// <summary>Hugging Face's <c>ByteLevel</c> post-processor: it trims offsets only, so the ids pass through unchanged.</summary>
internal sealed class ByteLevelPostProcessor(bool addPrefixSpace, bool trimOffsets, bool useRegex) : PostProcessor
{
    public override int AddedTokens(bool pair) => 0;

    public override List<EncodingParts> ProcessEncodings(List<EncodingParts> encodings, bool addSpecialTokens) => encodings;

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "ByteLevel");
        writer.WriteBoolean("add_prefix_space", addPrefixSpace);
        writer.WriteBoolean("trim_offsets", trimOffsets);
        writer.WriteBoolean("use_regex", useRegex);
        writer.WriteEndObject();
    }
}
