using System.Text.Json.Serialization;

namespace Attend.Cli.Demo;

/// <summary>The figures <c>attend demo --json</c> ends with.</summary>
internal sealed record DemoJson(
    [property: JsonPropertyName("exact_match")] double ExactMatch,
    [property: JsonPropertyName("test_pairs")] int TestPairs,
    [property: JsonPropertyName("training_seconds")] double TrainingSeconds,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("validation_loss")] double ValidationLoss,
    [property: JsonPropertyName("model_dir")] string ModelDir,
    [property: JsonPropertyName("loss_curve_png")] string? LossCurvePng,
    [property: JsonPropertyName("attention_png")] string? AttentionPng);

[JsonSerializable(typeof(DemoJson))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
