using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Attend.Server;

/// <summary>Writes JSON responses and server-sent events without synchronous I/O.</summary>
internal static class HttpJson
{
    /// <summary>Writes a JSON body built by <paramref name="write"/>.</summary>
    public static async Task Write(HttpContext context, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Build(write), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Starts a server-sent event stream: text/event-stream, no caching, headers sent at once.</summary>
    public static async Task StartEvents(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Sends one event "data: {json}" and flushes it.</summary>
    public static Task Event(HttpContext context, Action<Utf8JsonWriter> write) => RawEvent(context, Build(write));

    /// <summary>Sends the closing "data: [DONE]" event.</summary>
    public static Task Done(HttpContext context) => RawEvent(context, "[DONE]"u8.ToArray());

    private static async Task RawEvent(HttpContext context, ReadOnlyMemory<byte> data)
    {
        Stream body = context.Response.Body;
        await body.WriteAsync("data: "u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
        await body.WriteAsync(data, context.RequestAborted).ConfigureAwait(false);
        await body.WriteAsync("\n\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
        await body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static ReadOnlyMemory<byte> Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
            write(json);
        return buffer.WrittenMemory;
    }

    /// <summary>"usage": {"prompt_tokens", "completion_tokens" (when given), "total_tokens"}.</summary>
    public static void Usage(Utf8JsonWriter json, int prompt, int? completion)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", prompt);
        if (completion is int c)
            json.WriteNumber("completion_tokens", c);
        json.WriteNumber("total_tokens", prompt + (completion ?? 0));
        json.WriteEndObject();
    }
}
