using System.Runtime.InteropServices;
using System.Text.Json;
using Attend.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;

namespace Attend.Server;

/// <summary>
/// POST /v1/embeddings: {model, input: string | string[] | token ids | token id arrays, encoding_format: "float" |
/// "base64", dimensions, truncate (Attend's)} to OpenAI's list of embeddings with usage. Texts go through the model's
/// <see cref="AttendEmbeddingGenerator"/>, which batches them with those of concurrent requests.
/// </summary>
internal static class EmbeddingEndpoint
{
    public static void Map(IEndpointRouteBuilder app, ServerContext server) =>
        app.MapPost("/v1/embeddings", AttendServer.Wrap(server, "embeddings", context => Handle(context, server)));

    private static async Task Handle(Microsoft.AspNetCore.Http.HttpContext context, ServerContext server)
    {
        using JsonRequest request = await JsonRequest.Read(context, server.Options.MaxBodyBytes).ConfigureAwait(false);
        ServedModel model = server.Find(request, "embeddings");
        AttendEmbeddingGenerator generator = model.Embeddings!;
        string format = request.OptionalString("encoding_format") ?? "float";
        if (format is not ("float" or "base64"))
            throw ApiException.Invalid($"'encoding_format' must be \"float\" or \"base64\", not \"{format}\"", "encoding_format");
        int? dimensions = request.OptionalInt("dimensions", 1, int.MaxValue);
        if (dimensions is int d && d != model.Model.Config.DModel)
            throw ApiException.Invalid($"the model's embeddings have {model.Model.Config.DModel} dimensions; 'dimensions' cannot change that", "dimensions");
        bool truncate = request.OptionalBool("truncate");
        List<int[]>? tokenInputs = TokenInputs(request, model);
        float[][] vectors;
        int tokens;
        if (tokenInputs is not null)
        {
            int maxLen = model.Model.Config.MaxLen;
            if (tokenInputs.FirstOrDefault(t => t.Length > maxLen) is { } tooLong && !truncate)
                throw new InputTooLongException(tooLong.Length, maxLen);
            tokenInputs = tokenInputs.Select(t => t.Length > maxLen ? t[..maxLen] : t).ToList();
            vectors = await generator.Batcher.SubmitAsync(tokenInputs, context.RequestAborted).ConfigureAwait(false);
            tokens = tokenInputs.Sum(t => t.Length);
        }
        else
        {
            var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { ["truncate"] = truncate } };
            GeneratedEmbeddings<Embedding<float>> result = await generator.GenerateAsync(request.Texts("input"), options, context.RequestAborted).ConfigureAwait(false);
            vectors = result.Select(e => e.Vector.ToArray()).ToArray();
            tokens = (int)(result.Usage?.InputTokenCount ?? 0);
        }
        await HttpJson.Write(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            for (int i = 0; i < vectors.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", i);
                if (format == "base64")
                {
                    json.WriteBase64String("embedding", MemoryMarshal.AsBytes(vectors[i].AsSpan()));   // float32, little-endian, as OpenAI sends them
                }
                else
                {
                    json.WriteStartArray("embedding");
                    foreach (float v in vectors[i])
                        json.WriteNumberValue(v);
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("model", model.Name);
            HttpJson.Usage(json, tokens, null);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    // OpenAI also takes token ids: one array of integers, or an array of such arrays. Null when the input is text.
    private static List<int[]>? TokenInputs(JsonRequest request, ServedModel model)
    {
        if (!request.Root.TryGetProperty("input", out JsonElement input) || input.ValueKind != JsonValueKind.Array
            || input.GetArrayLength() == 0 || input[0].ValueKind is not (JsonValueKind.Number or JsonValueKind.Array))
            return null;
        List<int[]> sequences = input[0].ValueKind == JsonValueKind.Number ? [Ids(input, model)] : input.EnumerateArray().Select(s => Ids(s, model)).ToList();
        return sequences;
    }

    private static int[] Ids(JsonElement array, ServedModel model)
    {
        int vocab = model.Model.Config.SrcVocabSize;
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
            throw ApiException.Invalid("'input' token arrays must be non-empty arrays of integers", "input");
        return array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int id) && id >= 0 && id < vocab ? id
            : throw ApiException.Invalid($"'input' token ids must be integers from 0 to {vocab - 1}", "input")).ToArray();
    }
}
