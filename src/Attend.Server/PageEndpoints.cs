using System.Reflection;
using Attend.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Attend.Server;

/// <summary>
/// The page at "/" (static files embedded in the assembly: nothing is fetched from elsewhere) and the two endpoints it
/// uses besides OpenAI's: POST /v1/tokenize {model, input} to {"tokens": [{"id", "text"}]} and POST /v1/attention
/// {model, input} to {"output", "views": [{"kind", "rows", "columns", "weights": [layer][head][row-major rows x columns]}]}.
/// </summary>
internal static class PageEndpoints
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    public static void Map(IEndpointRouteBuilder app, ServerContext server)
    {
        app.MapGet("/", context => Static(context, "index.html"));
        app.MapGet("/static/{file}", context => Static(context, (string)context.Request.RouteValues["file"]!));
        app.MapPost("/v1/tokenize", AttendServer.Wrap(server, "tokenize", context => Tokenize(context, server)));
        app.MapPost("/v1/attention", AttendServer.Wrap(server, "attention", context => Attention(context, server)));
    }

    private static async Task Static(HttpContext context, string file)
    {
        await using Stream? resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("wwwroot/" + file);
        if (resource is null || !ContentTypes.TryGetValue(Path.GetExtension(file), out string? type))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = type;
        context.Response.Headers.CacheControl = "no-cache";
        await resource.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static ServedModel AnyModel(ServerContext server, JsonRequest request)
    {
        string name = request.RequiredString("model");
        return server.Models.TryGetValue(name, out ServedModel? m) ? m
            : throw new ApiException(StatusCodes.Status404NotFound, $"the model '{name}' does not exist", param: "model", code: "model_not_found");
    }

    private static async Task Tokenize(HttpContext context, ServerContext server)
    {
        using JsonRequest request = await JsonRequest.Read(context, server.Options.MaxBodyBytes).ConfigureAwait(false);
        ServedModel model = AnyModel(server, request);
        string text = request.Texts("input") is [var one] ? one : throw ApiException.Invalid("'input' must be one string", "input");
        int[] ids = model.Tokenizer.EncodeToIds(text);
        List<string> labels = AttentionViews.Labels(model.Tokenizer, ids);
        await HttpJson.Write(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("model", model.Name);
            json.WriteStartArray("tokens");
            for (int i = 0; i < ids.Length; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", ids[i]);
                json.WriteString("text", labels[i]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("max_len", model.Model.Config.MaxLen);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task Attention(HttpContext context, ServerContext server)
    {
        using JsonRequest request = await JsonRequest.Read(context, server.Options.MaxBodyBytes).ConfigureAwait(false);
        ServedModel model = AnyModel(server, request);
        string text = request.Texts("input") is [var one] ? one : throw ApiException.Invalid("'input' must be one string", "input");
        int[] ids = ModelInput.Encode(model.Tokenizer, text, model.Model.Config.MaxLen, request.OptionalBool("truncate"));
        (int[] output, IReadOnlyList<AttentionView> views) = await Task.Run(() =>
        {
            lock (model.Lock)
                return AttentionViews.Compute(model.Model, model.Tokenizer, ids);
        }, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.Write(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("model", model.Name);
            json.WriteString("output", model.Tokenizer.Decode(output, skipSpecialTokens: true));
            json.WriteStartArray("views");
            foreach (AttentionView v in views)
            {
                json.WriteStartObject();
                json.WriteString("kind", v.Kind);
                json.WriteStartArray("rows");
                foreach (string r in v.Rows)
                    json.WriteStringValue(r);
                json.WriteEndArray();
                json.WriteStartArray("columns");
                foreach (string c in v.Columns)
                    json.WriteStringValue(c);
                json.WriteEndArray();
                json.WriteStartArray("weights");
                foreach (float[][] layer in v.Weights)
                {
                    json.WriteStartArray();
                    foreach (float[] head in layer)
                    {
                        json.WriteStartArray();
                        foreach (float w in head)
                            json.WriteNumberValue(MathF.Round(w, 4));
                        json.WriteEndArray();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
