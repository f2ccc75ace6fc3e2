using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Attend.Server;

/// <summary>
/// A request's JSON body, read with the body limit enforced, and typed accessors whose failures are OpenAI-style
/// 400 errors naming the parameter.
/// </summary>
internal sealed class JsonRequest : IDisposable
{
    private readonly JsonDocument _document;

    private JsonRequest(JsonDocument document) => _document = document;

    public JsonElement Root => _document.RootElement;

    /// <summary>Reads the body: 413 over the limit, 400 when it is not a JSON object.</summary>
    public static async Task<JsonRequest> Read(HttpContext context, long maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"the request body of {context.Request.ContentLength} bytes is over the limit of {maxBytes}");
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"the request body is over the limit of {maxBytes} bytes");
        }
        catch (JsonException ex)
        {
            throw ApiException.Invalid($"the body is not valid JSON: {ex.Message}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw ApiException.Invalid("the body must be a JSON object");
        }
        return new JsonRequest(document);
    }

    public void Dispose() => _document.Dispose();

    public bool Has(string name) => Root.TryGetProperty(name, out JsonElement e) && e.ValueKind != JsonValueKind.Null;

    public string RequiredString(string name)
    {
        if (!Root.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
            throw ApiException.Invalid($"you must provide '{name}'", name);
        if (e.ValueKind != JsonValueKind.String)
            throw ApiException.Invalid($"'{name}' must be a string, not {Describe(e)}", name);
        return e.GetString()!;
    }

    public string? OptionalString(string name)
    {
        if (!Has(name))
            return null;
        JsonElement e = Root.GetProperty(name);
        return e.ValueKind == JsonValueKind.String ? e.GetString() : throw ApiException.Invalid($"'{name}' must be a string, not {Describe(e)}", name);
    }

    public int? OptionalInt(string name, int min, int max)
    {
        if (!Has(name))
            return null;
        JsonElement e = Root.GetProperty(name);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v))
            throw ApiException.Invalid($"'{name}' must be an integer, not {Describe(e)}", name);
        if (v < min || v > max)
            throw ApiException.Invalid($"'{name}' must be between {min} and {max}, not {v}", name);
        return (int)v;
    }

    public long? OptionalLong(string name)
    {
        if (!Has(name))
            return null;
        JsonElement e = Root.GetProperty(name);
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) ? v
            : throw ApiException.Invalid($"'{name}' must be an integer, not {Describe(e)}", name);
    }

    public float? OptionalFloat(string name, float min, float max)
    {
        if (!Has(name))
            return null;
        JsonElement e = Root.GetProperty(name);
        if (e.ValueKind != JsonValueKind.Number)
            throw ApiException.Invalid($"'{name}' must be a number, not {Describe(e)}", name);
        double v = e.GetDouble();
        if (v < min || v > max)
            throw ApiException.Invalid($"'{name}' must be between {min} and {max}, not {v}", name);
        return (float)v;
    }

    public bool OptionalBool(string name)
    {
        if (!Has(name))
            return false;
        JsonElement e = Root.GetProperty(name);
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiException.Invalid($"'{name}' must be a boolean, not {Describe(e)}", name),
        };
    }

    /// <summary>A string or a non-empty array of strings (OpenAI's "input" and "prompt"); each must be non-empty.</summary>
    public List<string> Texts(string name)
    {
        if (!Has(name))
            throw ApiException.Invalid($"you must provide '{name}'", name);
        JsonElement e = Root.GetProperty(name);
        var texts = new List<string>();
        if (e.ValueKind == JsonValueKind.String)
            texts.Add(e.GetString()!);
        else if (e.ValueKind == JsonValueKind.Array)
            foreach (JsonElement item in e.EnumerateArray())
                texts.Add(item.ValueKind == JsonValueKind.String ? item.GetString()!
                    : throw ApiException.Invalid($"'{name}' must be a string or an array of strings; an item is {Describe(item)}", name));
        else
            throw ApiException.Invalid($"'{name}' must be a string or an array of strings, not {Describe(e)}", name);
        if (texts.Count == 0)
            throw ApiException.Invalid($"'{name}' is an empty array", name);
        if (texts.Any(t => t.Length == 0))
            throw ApiException.Invalid($"'{name}' must not be empty", name);
        return texts;
    }

    /// <summary>"stop": a string or an array of up to 4 strings.</summary>
    public List<string> StopSequences()
    {
        if (!Has("stop"))
            return [];
        JsonElement e = Root.GetProperty("stop");
        List<string> stops = e.ValueKind == JsonValueKind.String ? [e.GetString()!]
            : e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String)
                ? e.EnumerateArray().Select(s => s.GetString()!).ToList()
                : throw ApiException.Invalid($"'stop' must be a string or an array of strings, not {Describe(e)}", "stop");
        if (stops.Count > 4)
            throw ApiException.Invalid("'stop' holds at most 4 sequences", "stop");
        return stops;
    }

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
