using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// A Vision Transformer's patch embedding, named as timm's PatchEmbed ("{name}.proj.weight" [D, C, P, P],
/// "{name}.proj.bias" [D], the weights of its stride-P nn.Conv2d): images [B, C, H, W] to one token per P x P patch,
/// [B, (H / P)(W / P), D]. The patch is the token; its linear projection is the token's embedding.
/// </summary>
public sealed class PatchEmbedding
{
    /// <summary>Declares the projection in <paramref name="store"/>.</summary>
    public PatchEmbedding(ParameterStore store, string name, int channels, int patch, int dModel)
    {
        Patch = patch;
        Weight = store.Create($"{name}.proj.weight", new Shape(dModel, channels, patch, patch), ParameterInit.XavierUniform);
        Bias = store.Create($"{name}.proj.bias", new Shape(dModel), ParameterInit.Zeros);
    }

    /// <summary>The patch side P.</summary>
    public int Patch { get; }

    /// <summary>W [D, C, P, P].</summary>
    public Tensor Weight { get; }

    /// <summary>b [D].</summary>
    public Tensor Bias { get; }

    /// <summary>images [B, C, H, W] to patch embeddings [B, N, D].</summary>
    public Tensor Forward(Tensor images) => Ops.PatchEmbed(images, Weight, Bias);
}
