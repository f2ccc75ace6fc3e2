using System.Text.Json;

namespace Attend.IO.HuggingFace;

/// <summary>
/// The modules of a sentence-transformers folder: modules.json lists them in order (Transformer, Pooling, Normalize);
/// the Pooling module's folder holds config.json with pooling_mode_mean_tokens, pooling_mode_cls_token or
/// pooling_mode_max_tokens; a Normalize module scales the result to unit length.
/// </summary>
internal static class SentenceTransformersModules
{
    /// <summary>(pooling, normalize) of the folder: ("mean", false) when it has no modules.json.</summary>
    public static (string Pooling, bool Normalize) Read(string directory)
    {
        string path = Path.Combine(directory, "modules.json");
        if (!File.Exists(path))
            return ("mean", false);
        using JsonDocument doc = Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: expected a JSON array of modules");
        string pooling = "mean";
        bool normalize = false, transformer = false;
        foreach (JsonElement module in doc.RootElement.EnumerateArray())
        {
            string type = module.ValueKind == JsonValueKind.Object && module.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()! : throw new InvalidDataException($"{path}: every module needs a \"type\"");
            string folder = module.TryGetProperty("path", out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";
            switch (type)
            {
                case "sentence_transformers.models.Transformer":
                    transformer = true;
                    if (folder.Length > 0)
                        throw new InvalidDataException($"{path}: the Transformer module lives in '{folder}'; Attend reads it from the folder itself (path \"\")");
                    break;
                case "sentence_transformers.models.Pooling":
                    pooling = Pooling(Path.Combine(directory, folder, "config.json"));
                    break;
                case "sentence_transformers.models.Normalize":
                    normalize = true;
                    break;
                default:
                    throw new InvalidDataException($"{path}: module type '{type}' is not supported (Transformer, Pooling and Normalize are)");
            }
        }
        if (!transformer)
            throw new InvalidDataException($"{path}: no sentence_transformers.models.Transformer module");
        return (pooling, normalize);
    }

    private static string Pooling(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: missing (the Pooling module's config)", path);
        using JsonDocument doc = Parse(path);
        bool On(string key) => doc.RootElement.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.True;
        string[] modes = new[] { ("mean", "pooling_mode_mean_tokens"), ("cls", "pooling_mode_cls_token"), ("max", "pooling_mode_max_tokens") }
            .Where(m => On(m.Item2)).Select(m => m.Item1).ToArray();
        foreach (string unsupported in new[] { "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken" })
            if (On(unsupported))
                throw new InvalidDataException($"{path}: {unsupported} is not supported (mean, cls or max pooling)");
        return modes.Length == 1 ? modes[0] : throw new InvalidDataException(
            $"{path}: exactly one of pooling_mode_mean_tokens, pooling_mode_cls_token and pooling_mode_max_tokens must be true (found {modes.Length})");
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }
}
