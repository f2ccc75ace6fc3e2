using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>tokenizer.json's <c>truncation</c> section: cut encodings to <c>max_length</c> ids, special tokens included.</summary>
internal sealed record TruncationSettings(int MaxLength, string Strategy, bool FromLeft, int Stride)
{
    /// <summary>Hugging Face's <c>truncate_encodings</c> with max_length already reduced by the added tokens.</summary>
    public void Apply(EncodingParts a, EncodingParts? b, int maxLength)
    {
        int total = a.Count + (b?.Count ?? 0);
        if (maxLength <= 0)
        {
            a.Keep(0, FromLeft);
            b?.Keep(0, FromLeft);
            return;
        }
        if (total <= maxLength)
            return;
        int remove = total - maxLength;
        if (Strategy == "longest_first")
        {
            if (b is null)
            {
                a.Keep(total - remove, FromLeft);
                return;
            }
            int n1 = a.Count, n2 = b.Count;
            bool swap = n1 > n2;
            if (swap)
                (n1, n2) = (n2, n1);
            n2 = n1 > maxLength ? n1 : Math.Max(n1, maxLength - n1);
            if (n1 + n2 > maxLength)
            {
                n1 = maxLength / 2;
                n2 = n1 + maxLength % 2;
            }
            if (swap)
                (n1, n2) = (n2, n1);
            a.Keep(n1, FromLeft);
            b.Keep(n2, FromLeft);
            return;
        }
        EncodingParts? target = Strategy == "only_first" ? a : b;
        if (target is null || target.Count <= remove)
            throw new ArgumentException("truncation: the sequence to truncate is too short to respect max_length");
        target.Keep(target.Count - remove, FromLeft);
    }

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("direction", FromLeft ? "Left" : "Right");
        w.WriteNumber("max_length", MaxLength);
        w.WriteString("strategy", Strategy switch { "only_first" => "OnlyFirst", "only_second" => "OnlySecond", _ => "LongestFirst" });
        w.WriteNumber("stride", Stride);
        w.WriteEndObject();
    }

    public static TruncationSettings Read(JsonField json)
    {
        string strategy = json["strategy"].IsNull ? "LongestFirst" : json["strategy"].String();
        string direction = json["direction"].IsNull ? "Right" : json["direction"].String();
        if (direction is not ("Left" or "Right"))
            throw json["direction"].Fail($"'{direction}' is neither Left nor Right");
        return new TruncationSettings(json["max_length"].Id(), strategy switch
        {
            "LongestFirst" => "longest_first",
            "OnlyFirst" => "only_first",
            "OnlySecond" => "only_second",
            _ => throw json["strategy"].Fail($"'{strategy}' is not LongestFirst, OnlyFirst or OnlySecond"),
        }, direction == "Left", json["stride"].Int(0));
    }
}

/// <summary>tokenizer.json's <c>padding</c> section: pad to a fixed length or the batch's longest (optionally a multiple of N).</summary>
internal sealed record PaddingSettings(int? FixedLength, bool Left, int? PadToMultipleOf, int PadId, int PadTypeId, string PadToken)
{
    public int TargetLength(int longest)
    {
        int length = FixedLength ?? longest;
        if (PadToMultipleOf is int m && m > 0 && length % m > 0)
            length += m - length % m;
        return length;
    }

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        if (FixedLength is int n)
        {
            w.WriteStartObject("strategy");
            w.WriteNumber("Fixed", n);
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("strategy", "BatchLongest");
        }
        w.WriteString("direction", Left ? "Left" : "Right");
        if (PadToMultipleOf is int m)
            w.WriteNumber("pad_to_multiple_of", m);
        else
            w.WriteNull("pad_to_multiple_of");
        w.WriteNumber("pad_id", PadId);
        w.WriteNumber("pad_type_id", PadTypeId);
        w.WriteString("pad_token", PadToken);
        w.WriteEndObject();
    }

    public static PaddingSettings Read(JsonField json)
    {
        JsonField strategy = json["strategy"];
        int? fixedLength = null;
        if (strategy.Element.ValueKind == JsonValueKind.Object)
            fixedLength = strategy["Fixed"].Id();
        else if (!strategy.IsNull && strategy.String() != "BatchLongest")
            throw strategy.Fail($"'{strategy.String()}' is neither BatchLongest nor {{\"Fixed\": n}}");
        string direction = json["direction"].IsNull ? "Right" : json["direction"].String();
        if (direction is not ("Left" or "Right"))
            throw json["direction"].Fail($"'{direction}' is neither Left nor Right");
        return new PaddingSettings(fixedLength, direction == "Left", json["pad_to_multiple_of"].IsNull ? null : json["pad_to_multiple_of"].Id(),
            json["pad_id"].Int(0), json["pad_type_id"].Int(0), json["pad_token"].StringOrNull() ?? "[PAD]");
    }
}
