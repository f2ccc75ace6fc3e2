using System.Globalization;
using System.Text.Json;
using Attend.Cli.Hosting;

namespace Attend.Cli.Training;

/// <summary>
/// A recipe file: a JSON object whose keys are a verb's option names (without dashes) and whose values are what the
/// command line would give. Options on the command line win over the recipe; an unknown key is an error.
/// </summary>
internal static class Recipe
{
    public static ParsedArgs Apply(ParsedArgs args, string recipeOption = "recipe")
    {
        if (args.Get(recipeOption) is not string path)
            return args;
        if (!File.Exists(path))
            throw new CliException($"{path}: recipe file not found");
        var extra = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CliException($"{path}: a recipe is a JSON object of option names and values");
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.Name.StartsWith('_'))
                    continue;
                CliOption option = args.Declared.FirstOrDefault(o => o.Name == p.Name)
                    ?? throw new CliException($"{path}: unknown key '{p.Name}' (not an option of this verb)");
                if (args.Has(p.Name) || p.Name == recipeOption)
                    continue;
                if (option.IsFlag)
                {
                    if (p.Value.ValueKind == JsonValueKind.True)
                        extra.Add("--" + p.Name);
                    else if (p.Value.ValueKind != JsonValueKind.False)
                        throw new CliException($"{path}: key '{p.Name}' is a switch and takes true or false");
                    continue;
                }
                extra.Add("--" + p.Name);
                if (p.Value.ValueKind == JsonValueKind.Array)
                    extra.AddRange(p.Value.EnumerateArray().Select(Text));
                else
                    extra.Add(Text(p.Value));
            }
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not valid JSON ({e.Message})", e);
        }
        return ParsedArgs.Parse([.. args.Raw, .. extra], args.Declared);
    }

    private static string Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new CliException($"recipe value {e.GetRawText()} is not a string, number or boolean"),
    };
}
