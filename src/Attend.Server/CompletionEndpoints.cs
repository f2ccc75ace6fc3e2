using System.Runtime.CompilerServices;
using System.Text.Json;
using Attend.Decoding;
using Attend.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;

namespace Attend.Server;

/// <summary>
/// POST /v1/completions and POST /v1/chat/completions for decoder-only models, in OpenAI's shapes: prompt (or messages
/// through <see cref="ChatTemplate"/>), max_tokens, temperature, top_p, top_k (Attend's), seed, stop, n, stream (server-sent
/// events ending with [DONE]), stream_options.include_usage, truncate (Attend's: keep the end of a prompt longer than
/// max_len), usage and finish_reason. Completions run on the model's <see cref="TextGenerator"/>, chat on its
/// <see cref="IChatClient"/>; both share its continuous batch.
/// </summary>
internal static class CompletionEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ServerContext server)
    {
        app.MapPost("/v1/completions", AttendServer.Wrap(server, "completions", context => Completions(context, server)));
        app.MapPost("/v1/chat/completions", AttendServer.Wrap(server, "chat_completions", context => Chat(context, server)));
    }

    // The settings both endpoints share.
    private sealed record Settings(int? MaxTokens, float Temperature, float TopP, int TopK, long? Seed, List<string> Stop, int N, bool Stream, bool Usage, bool Truncate)
    {
        public static Settings Read(JsonRequest r, params string[] maxTokenNames)
        {
            int? max = null;
            foreach (string name in maxTokenNames)
                max ??= r.OptionalInt(name, 1, 1 << 20);
            bool usage = false;
            if (r.Root.TryGetProperty("stream_options", out JsonElement so) && so.ValueKind == JsonValueKind.Object
                && so.TryGetProperty("include_usage", out JsonElement iu))
                usage = iu.ValueKind == JsonValueKind.True;
            return new Settings(max, r.OptionalFloat("temperature", 0f, 2f) ?? 1f, r.OptionalFloat("top_p", 0f, 1f) ?? 1f,
                r.OptionalInt("top_k", 0, int.MaxValue) ?? 0, r.OptionalLong("seed"), r.StopSequences(), r.OptionalInt("n", 1, 16) ?? 1,
                r.OptionalBool("stream"), usage, r.OptionalBool("truncate"));
        }

        // Choice i of a request with a seed uses seed + i, so n choices differ and each is reproducible.
        public ulong SeedFor(int choice) => Seed is long s ? unchecked((ulong)(s + choice)) : (ulong)Random.Shared.NextInt64();
    }

    private static async Task Completions(HttpContext context, ServerContext server)
    {
        using JsonRequest request = await JsonRequest.Read(context, server.Options.MaxBodyBytes).ConfigureAwait(false);
        ServedModel model = server.Find(request, "generation");
        List<string> prompts = request.Texts("prompt");
        var s = Settings.Read(request, "max_tokens");
        int maxLen = model.Model.Config.MaxLen;
        List<int[]> ids = prompts.Select(p => ModelInput.Encode(model.Tokenizer, p, maxLen, s.Truncate, keepEnd: true)).ToList();
        var sources = new List<IAsyncEnumerable<ChoicePiece>>();
        for (int p = 0; p < ids.Count; p++)
            for (int j = 0; j < s.N; j++)
            {
                int index = p * s.N + j;
                var sampling = new SamplingOptions { Temperature = s.Temperature, TopP = s.TopP, TopK = s.TopK, Seed = s.SeedFor(index) };
                sources.Add(Pieces(TextPieces.StreamAsync(model.Generator!, model.Tokenizer, ids[p], s.MaxTokens ?? 16, sampling, s.Stop, context.RequestAborted),
                    index, ids[p].Length));
            }
        string id = "cmpl-" + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using ChoiceStreams choices = await ChoiceStreams.Start(sources, context.RequestAborted).ConfigureAwait(false);
        void Head(Utf8JsonWriter json)
        {
            json.WriteString("id", id);
            json.WriteString("object", "text_completion");
            json.WriteNumber("created", created);
            json.WriteString("model", model.Name);
        }
        if (!s.Stream)
        {
            var all = await choices.CollectAll().ConfigureAwait(false);
            await HttpJson.Write(context, json =>
            {
                json.WriteStartObject();
                Head(json);
                json.WriteStartArray("choices");
                for (int i = 0; i < all.Length; i++)
                    CompletionChoice(json, i, all[i].Text, all[i].Finish);
                json.WriteEndArray();
                HttpJson.Usage(json, ids.Sum(x => x.Length), all.Sum(a => a.Tokens));
                json.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }
        await HttpJson.StartEvents(context).ConfigureAwait(false);
        int completionTokens = 0;
        await foreach (ChoicePiece piece in choices.Interleaved().ConfigureAwait(false))
        {
            completionTokens += piece.Finish is null ? 0 : piece.Tokens;
            await HttpJson.Event(context, json =>
            {
                json.WriteStartObject();
                Head(json);
                json.WriteStartArray("choices");
                CompletionChoice(json, piece.Index, piece.Text, piece.Finish);
                json.WriteEndArray();
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }
        if (s.Usage)
            await HttpJson.Event(context, json =>
            {
                json.WriteStartObject();
                Head(json);
                json.WriteStartArray("choices");
                json.WriteEndArray();
                HttpJson.Usage(json, ids.Sum(x => x.Length), completionTokens);
                json.WriteEndObject();
            }).ConfigureAwait(false);
        await HttpJson.Done(context).ConfigureAwait(false);
    }

    private static void CompletionChoice(Utf8JsonWriter json, int index, string text, string? finish)
    {
        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteNumber("index", index);
        json.WriteNull("logprobs");
        WriteFinish(json, finish);
        json.WriteEndObject();
    }

    private static async Task Chat(HttpContext context, ServerContext server)
    {
        using JsonRequest request = await JsonRequest.Read(context, server.Options.MaxBodyBytes).ConfigureAwait(false);
        ServedModel model = server.Find(request, "generation");
        List<ChatMessage> messages = Messages(request);
        var s = Settings.Read(request, "max_completion_tokens", "max_tokens");
        var sources = new List<IAsyncEnumerable<ChoicePiece>>();
        for (int j = 0; j < s.N; j++)
        {
            var options = new ChatOptions
            {
                Temperature = s.Temperature, TopP = s.TopP, TopK = s.TopK == 0 ? null : s.TopK, Seed = (long)s.SeedFor(j),
                MaxOutputTokens = s.MaxTokens, StopSequences = s.Stop, AdditionalProperties = new() { ["truncate"] = s.Truncate },
            };
            sources.Add(ChatPieces(model.Chat!.GetStreamingResponseAsync(messages, options, context.RequestAborted), j));
        }
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using ChoiceStreams choices = await ChoiceStreams.Start(sources, context.RequestAborted).ConfigureAwait(false);
        void Head(Utf8JsonWriter json, bool chunk)
        {
            json.WriteString("id", id);
            json.WriteString("object", chunk ? "chat.completion.chunk" : "chat.completion");
            json.WriteNumber("created", created);
            json.WriteString("model", model.Name);
        }
        if (!s.Stream)
        {
            var all = await choices.CollectAll().ConfigureAwait(false);
            await HttpJson.Write(context, json =>
            {
                json.WriteStartObject();
                Head(json, chunk: false);
                json.WriteStartArray("choices");
                for (int i = 0; i < all.Length; i++)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", i);
                    json.WriteStartObject("message");
                    json.WriteString("role", "assistant");
                    json.WriteString("content", all[i].Text);
                    json.WriteNull("refusal");
                    json.WriteEndObject();
                    json.WriteNull("logprobs");
                    WriteFinish(json, all[i].Finish);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                HttpJson.Usage(json, all[0].PromptTokens, all.Sum(a => a.Tokens));
                json.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }
        await HttpJson.StartEvents(context).ConfigureAwait(false);
        var roleSent = new bool[s.N];
        int promptTokens = 0, completionTokens = 0;
        await foreach (ChoicePiece piece in choices.Interleaved().ConfigureAwait(false))
        {
            if (piece.Finish is not null)
                (promptTokens, completionTokens) = (piece.PromptTokens, completionTokens + piece.Tokens);
            bool first = !roleSent[piece.Index];
            roleSent[piece.Index] = true;
            await HttpJson.Event(context, json =>
            {
                json.WriteStartObject();
                Head(json, chunk: true);
                json.WriteStartArray("choices");
                json.WriteStartObject();
                json.WriteNumber("index", piece.Index);
                json.WriteStartObject("delta");
                if (first)
                    json.WriteString("role", "assistant");
                if (piece.Text.Length > 0 || first)
                    json.WriteString("content", piece.Text);
                json.WriteEndObject();
                json.WriteNull("logprobs");
                WriteFinish(json, piece.Finish);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }
        if (s.Usage)
            await HttpJson.Event(context, json =>
            {
                json.WriteStartObject();
                Head(json, chunk: true);
                json.WriteStartArray("choices");
                json.WriteEndArray();
                HttpJson.Usage(json, promptTokens, completionTokens);
                json.WriteEndObject();
            }).ConfigureAwait(false);
        await HttpJson.Done(context).ConfigureAwait(false);
    }

    private static void WriteFinish(Utf8JsonWriter json, string? finish)
    {
        if (finish is null)
            json.WriteNull("finish_reason");
        else
            json.WriteString("finish_reason", finish);
    }

    private static string FinishName(FinishReason reason) => reason == FinishReason.Stop ? "stop" : "length";

    private static async IAsyncEnumerable<ChoicePiece> Pieces(IAsyncEnumerable<TextPiece> pieces, int index, int promptTokens)
    {
        await foreach (TextPiece p in pieces.ConfigureAwait(false))
            yield return new ChoicePiece(index, p.Text, p.Finish is FinishReason f ? FinishName(f) : null, promptTokens, p.Tokens);
    }

    private static async IAsyncEnumerable<ChoicePiece> ChatPieces(IAsyncEnumerable<ChatResponseUpdate> updates, int index)
    {
        await foreach (ChatResponseUpdate u in updates.ConfigureAwait(false))
        {
            UsageDetails? usage = u.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
            string? finish = u.FinishReason is { } f ? f == ChatFinishReason.Length ? "length" : "stop" : null;
            yield return new ChoicePiece(index, u.Text, finish, (int)(usage?.InputTokenCount ?? 0), (int)(usage?.OutputTokenCount ?? 0));
        }
    }

    // "messages": [{role, content: string | [{type: "text", text}]}], at least one.
    private static List<ChatMessage> Messages(JsonRequest request)
    {
        if (!request.Root.TryGetProperty("messages", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            throw ApiException.Invalid("'messages' must be an array of {role, content} objects", "messages");
        if (list.GetArrayLength() == 0)
            throw ApiException.Invalid("'messages' is empty", "messages");
        var messages = new List<ChatMessage>();
        foreach (JsonElement m in list.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out JsonElement role) || role.ValueKind != JsonValueKind.String)
                throw ApiException.Invalid("each message must be an object with a string 'role'", "messages");
            string text = m.TryGetProperty("content", out JsonElement content) ? content.ValueKind switch
            {
                JsonValueKind.String => content.GetString()!,
                JsonValueKind.Null => "",
                JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part =>
                    part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out JsonElement t) && t.ValueKind == JsonValueKind.String
                        ? t.GetString() : throw ApiException.Invalid("only text content parts are supported", "messages"))),
                _ => throw ApiException.Invalid($"a message's 'content' must be a string or an array of text parts, not {JsonRequest.Describe(content)}", "messages"),
            } : "";
            messages.Add(new ChatMessage(new ChatRole(role.GetString()!), text));
        }
        return messages;
    }
}
