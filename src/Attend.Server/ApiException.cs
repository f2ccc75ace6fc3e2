using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Attend.Server;

/// <summary>A request the server refuses, answered as OpenAI answers errors: {"error": {"message", "type", "param", "code"}}.</summary>
internal sealed class ApiException(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string? Param { get; } = param;

    public string? Code { get; } = code;

    public static ApiException Invalid(string message, string? param = null, string? code = null) => new(400, message, param: param, code: code);

    /// <summary>Writes the error body with its status (and Retry-After for 429).</summary>
    public static async Task Write(HttpContext context, int status, string message, string type, string? param = null, string? code = null)
    {
        HttpResponse response = context.Response;
        if (response.HasStarted)
            return;
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (status == StatusCodes.Status429TooManyRequests)
            response.Headers.RetryAfter = "1";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            WriteNullable(json, "param", param);
            WriteNullable(json, "code", code);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }
}
