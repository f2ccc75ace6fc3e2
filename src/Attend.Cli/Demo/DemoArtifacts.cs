using Attend.Cli.Inference;
using Attend.Cli.Plotting;
using Attend.IO;

namespace Attend.Cli.Demo;

/// <summary>Where the demo wrote its checkpoint and pictures.</summary>
internal sealed record DemoArtifacts(string ModelDirectory, string LossCurve, string AttentionMap)
{
    public static DemoArtifacts Write(string outDir, DemoResult result)
    {
        string full = Path.GetFullPath(outDir);
        string modelDir = Path.Combine(full, "model");
        Checkpoint.Save(modelDir, result.Model, result.Tokenizer);
        string loss = Path.Combine(full, "loss.png");
        Training.LossCurve.TrySave(loss, result.State);
        string heatmap = Path.Combine(full, "cross-attention.png");
        Inference.AttentionMap map = Inference.AttentionMap.Compute(result.Model, result.Tokenizer, result.Samples[0].Source, "cross", null, null);
        AttentionHeatmap.Save(heatmap, map.Weights, map.Rows, map.Cols, map.RowLabels, map.ColLabels, map.Title);
        return new DemoArtifacts(modelDir, loss, heatmap);
    }
}
