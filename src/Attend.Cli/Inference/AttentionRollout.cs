using Attend.Models;
using Attend.Tensors;

namespace Attend.Cli.Inference;

/// <summary>
/// Attention rollout (Abnar and Zuidema, "Quantifying Attention Flow in Transformers", 2020) of a Vision Transformer's
/// [CLS] token: per layer the heads' attention averaged (or one head's), the residual connection added as identity,
/// A' = (A + I) / 2, and the layers multiplied, R = A'_L ... A'_1; row 0 of R over the patch columns is how much each
/// patch flows into [CLS]. Returned as a grid [H / P, W / P] scaled to a maximum of 1.
/// </summary>
internal static class AttentionRollout
{
    public static (float[] Grid, int Rows, int Cols) Compute(VisionTransformer model, Tensor image, int? lastLayer, int? head)
    {
        int layers = model.Blocks.Length, heads = model.Config.Heads, t = model.Config.NumPatches + 1;
        int last = lastLayer ?? layers - 1;
        if (last < 0 || last >= layers)
            throw new ArgumentException($"layer {last} does not exist (the model has {layers} blocks)");
        if (head is int h && (h < 0 || h >= heads))
            throw new ArgumentException($"head {h} does not exist (the model has {heads} heads)");
        foreach (var block in model.Blocks)
            block.SelfAttention.CaptureWeights = true;
        try
        {
            using var noGrad = Autograd.NoGrad();
            model.Dropout.Training = false;
            model.Embed(image);
        }
        finally
        {
            foreach (var block in model.Blocks)
                block.SelfAttention.CaptureWeights = false;
        }
        double[] rollout = new double[t * t];
        for (int i = 0; i < t; i++)
            rollout[i * t + i] = 1;
        for (int l = 0; l <= last; l++)
        {
            float[] w = model.Blocks[l].SelfAttention.LastWeights!;       // [1, H, T, T]
            double[] a = new double[t * t];
            for (int hh = 0; hh < heads; hh++)
            {
                if (head is int only && only != hh)
                    continue;
                for (int i = 0; i < t * t; i++)
                    a[i] += w[hh * t * t + i] / (head is null ? heads : 1);
            }
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++)
                    a[i * t + j] = 0.5 * a[i * t + j] + (i == j ? 0.5 : 0);
            double[] next = new double[t * t];
            for (int i = 0; i < t; i++)
                for (int k = 0; k < t; k++)
                {
                    double aik = a[i * t + k];
                    for (int j = 0; j < t; j++)
                        next[i * t + j] += aik * rollout[k * t + j];
                }
            rollout = next;
        }
        int rows = model.ImageHeight / model.Config.PatchSize, cols = model.ImageWidth / model.Config.PatchSize;
        double max = Enumerable.Range(1, t - 1).Max(j => rollout[j]);
        float[] grid = Enumerable.Range(1, t - 1).Select(j => (float)(max > 0 ? rollout[j] / max : 0)).ToArray();
        return (grid, rows, cols);
    }
}
