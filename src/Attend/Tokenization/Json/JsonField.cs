using System.Globalization;
using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// A JSON value of tokenizer.json with its JSON path (<c>$.model.vocab</c>), so every read failure names the file and
/// the place: "tokenizer.json: $.normalizer.normalizers[1].type: 'Foo' is not a known normalizer".
/// </summary>
internal readonly struct JsonField
{
    public JsonField(JsonElement element, string path, string source)
    {
        Element = element;
        Path = path;
        Source = source;
    }

    public JsonElement Element { get; }

    public string Path { get; }

    public string Source { get; }

    public bool IsNull => Element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    /// <summary>The member <paramref name="name"/>; absent members read as JSON null.</summary>
    public JsonField this[string name]
    {
        get
        {
            if (Element.ValueKind != JsonValueKind.Object)
                throw Fail("is not a JSON object");
            return new JsonField(Element.TryGetProperty(name, out JsonElement value) ? value : default, $"{Path}.{name}", Source);
        }
    }

    public bool Has(string name) => Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out JsonElement v)
        && v.ValueKind != JsonValueKind.Null;

    public IEnumerable<JsonField> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array)
            throw Fail("is not a JSON array");
        int i = 0;
        foreach (JsonElement item in Element.EnumerateArray())
            yield return new JsonField(item, $"{Path}[{i++}]", Source);
    }

    public IEnumerable<(string Name, JsonField Value)> Members()
    {
        if (Element.ValueKind != JsonValueKind.Object)
            throw Fail("is not a JSON object");
        foreach (JsonProperty p in Element.EnumerateObject())
            yield return (p.Name, new JsonField(p.Value, $"{Path}[\"{p.Name}\"]", Source));
    }

    public string String() => Element.ValueKind == JsonValueKind.String ? Element.GetString()! : throw Fail("is not a string");

    public string? StringOrNull() => IsNull ? null : String();

    public bool Bool(bool whenAbsent)
    {
        if (IsNull)
            return whenAbsent;
        return Element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail("is not true or false"),
        };
    }

    public bool? BoolOrNull() => IsNull ? null : Bool(false);

    public int Int()
    {
        if (Element.ValueKind != JsonValueKind.Number || !Element.TryGetInt32(out int value))
            throw Fail(IsNull ? "is missing" : "is not an integer");
        return value;
    }

    public int Int(int whenAbsent) => IsNull ? whenAbsent : Int();

    /// <summary>A token id: an integer from 0.</summary>
    public int Id()
    {
        int id = Int();
        return id >= 0 ? id : throw Fail($"id {id} is negative");
    }

    public double Double()
    {
        if (Element.ValueKind != JsonValueKind.Number)
            throw Fail(IsNull ? "is missing" : "is not a number");
        return Element.GetDouble();
    }

    /// <summary>The "type" member of a component.</summary>
    public string Type() => this["type"].IsNull ? throw Fail("has no \"type\"") : this["type"].String();

    public InvalidDataException Fail(string problem) => new($"{Source}: {Path}: {problem}");

    public override string ToString() => Element.ValueKind == JsonValueKind.Number
        ? Element.GetRawText()
        : Element.ToString() ?? string.Create(CultureInfo.InvariantCulture, $"{Element.ValueKind}");
}
