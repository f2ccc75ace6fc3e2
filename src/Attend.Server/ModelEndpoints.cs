using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Attend.Server;

/// <summary>GET /v1/models and GET /v1/models/{id}: OpenAI's model objects, plus an "attend" object with the model's task, endpoints and shape.</summary>
internal static class ModelEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ServerContext server)
    {
        app.MapGet("/v1/models", AttendServer.Wrap(server, "models", context => HttpJson.Write(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (ServedModel m in server.Models.Values)
                Write(json, m);
            json.WriteEndArray();
            json.WriteEndObject();
        })));
        app.MapGet("/v1/models/{id}", AttendServer.Wrap(server, "models", context =>
        {
            string id = (string)context.Request.RouteValues["id"]!;
            if (!server.Models.TryGetValue(id, out ServedModel? m))
                throw new ApiException(StatusCodes.Status404NotFound, $"the model '{id}' does not exist", param: "model", code: "model_not_found");
            return HttpJson.Write(context, json => Write(json, m));
        }));
    }

    private static void Write(Utf8JsonWriter json, ServedModel m)
    {
        json.WriteStartObject();
        json.WriteString("id", m.Name);
        json.WriteString("object", "model");
        json.WriteNumber("created", m.Created);
        json.WriteString("owned_by", "attend");
        json.WriteStartObject("attend");
        json.WriteString("task", m.Task);
        json.WriteString("model_type", m.Model.Config.ModelType);
        json.WriteStartArray("endpoints");
        foreach (string e in m.Endpoints)
            json.WriteStringValue(e);
        json.WriteEndArray();
        json.WriteNumber("max_len", m.Model.Config.MaxLen);
        json.WriteNumber("d_model", m.Model.Config.DModel);
        json.WriteNumber("heads", m.Model.Config.Heads);
        json.WriteNumber("encoder_layers", m.Model.Config.EncoderLayers);
        json.WriteNumber("decoder_layers", m.Model.Config.DecoderLayers);
        if (m.Labels.Count > 0)
        {
            json.WriteStartArray("labels");
            foreach (string l in m.Labels)
                json.WriteStringValue(l);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
