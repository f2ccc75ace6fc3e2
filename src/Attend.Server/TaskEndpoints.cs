using Attend.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Attend.Server;

/// <summary>
/// Attend's own endpoints in OpenAI's style. POST /v1/translations {model, input: string | string[], beam (1 = greedy),
/// max_tokens, length_penalty, truncate} to {"object": "list", "data": [{"object": "translation", "index", "text"}],
/// "model", "usage"}; POST /v1/classifications {model, input, truncate} to {"data": [{"object": "classification",
/// "index", "label", "probabilities": {label: p}}], ...}. Both are dynamically batched with concurrent requests.
/// </summary>
internal static class TaskEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ServerContext server)
    {
        app.MapPost("/v1/translations", AttendServer.Wrap(server, "translations", context => Translate(context, server)));
        app.MapPost("/v1/classifications", AttendServer.Wrap(server, "classifications", context => Classify(context, server)));
    }

    private static async Task Translate(HttpContext context, ServerContext server)
    {
        using JsonRequest request = await JsonRequest.Read(context, server.Options.MaxBodyBytes).ConfigureAwait(false);
        ServedModel model = server.Find(request, "translation");
        List<string> texts = request.Texts("input");
        int maxLen = model.Model.Config.MaxLen;
        int beam = request.OptionalInt("beam", 1, 16) ?? 1;
        int maxTokens = request.OptionalInt("max_tokens", 1, maxLen - 1) ?? maxLen - 1;
        float penalty = request.OptionalFloat("length_penalty", 0f, 10f) ?? 1f;
        bool truncate = request.OptionalBool("truncate");
        List<TranslationJob> jobs = texts.Select(t => new TranslationJob(ModelInput.Encode(model.Tokenizer, t, maxLen, truncate), beam, maxTokens, penalty)).ToList();
        int[][] outputs = await model.Translator!.SubmitAsync(jobs, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.Write(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            for (int i = 0; i < outputs.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("object", "translation");
                json.WriteNumber("index", i);
                json.WriteString("text", model.Tokenizer.Decode(outputs[i], skipSpecialTokens: true));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("model", model.Name);
            HttpJson.Usage(json, jobs.Sum(j => j.Source.Length), outputs.Sum(o => o.Length));
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task Classify(HttpContext context, ServerContext server)
    {
        using JsonRequest request = await JsonRequest.Read(context, server.Options.MaxBodyBytes).ConfigureAwait(false);
        ServedModel model = server.Find(request, "embeddings");
        if (model.Classifier is null)
            throw ApiException.Invalid($"the model '{model.Name}' has no classification head; it serves {string.Join(", ", model.Endpoints)}", "model", "model_not_supported");
        List<string> texts = request.Texts("input");
        bool truncate = request.OptionalBool("truncate");
        List<int[]> ids = texts.Select(t => ModelInput.Encode(model.Tokenizer, t, model.Model.Config.MaxLen, truncate)).ToList();
        float[][] probabilities = await model.Classifier!.SubmitAsync(ids, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.Write(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            for (int i = 0; i < probabilities.Length; i++)
            {
                float[] p = probabilities[i];
                int best = Decoding.Greedy.ArgMax(p);
                json.WriteStartObject();
                json.WriteString("object", "classification");
                json.WriteNumber("index", i);
                json.WriteString("label", model.Labels[best]);
                json.WriteStartObject("probabilities");
                for (int c = 0; c < p.Length; c++)
                    json.WriteNumber(model.Labels[c], p[c]);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("model", model.Name);
            HttpJson.Usage(json, ids.Sum(x => x.Length), null);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
