using Attend.IO;

namespace Attend.Cli.Demo;

/// <summary>Where the demo wrote its checkpoint and pictures.</summary>
internal sealed record DemoArtifacts(string ModelDirectory, string? LossCurve, string? AttentionMap)
{
    public static DemoArtifacts Write(string outDir, DemoResult result)
    {
        string modelDir = Path.GetFullPath(Path.Combine(outDir, "model"));
        Checkpoint.Save(modelDir, result.Model, result.Tokenizer);
        return new DemoArtifacts(modelDir, null, null);
    }
}
