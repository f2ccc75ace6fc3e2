namespace Attend.Layers;

/// <summary>
/// The names of an encoder layer's tensors below its prefix, so one <see cref="EncoderLayer"/> serves checkpoints of
/// several implementations: PyTorch's nn.TransformerEncoderLayer (the default) or timm's Vision Transformer Block.
/// </summary>
/// <param name="InProjWeight">The packed Q, K, V projection's weight [3 dModel, dModel].</param>
/// <param name="InProjBias">Its bias [3 dModel].</param>
/// <param name="OutProj">The attention output projection (".weight", ".bias" follow).</param>
/// <param name="Linear1">The feed-forward expansion to dFF.</param>
/// <param name="Linear2">The feed-forward projection back to dModel.</param>
/// <param name="Norm1">The attention block's layer norm.</param>
/// <param name="Norm2">The feed-forward block's layer norm.</param>
public sealed record EncoderLayerNames(string InProjWeight, string InProjBias, string OutProj, string Linear1, string Linear2, string Norm1, string Norm2)
{
    /// <summary>nn.TransformerEncoderLayer: self_attn.in_proj_weight, self_attn.out_proj, linear1, linear2, norm1, norm2.</summary>
    public static EncoderLayerNames PyTorch { get; } = new("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj", "linear1", "linear2", "norm1", "norm2");

    /// <summary>timm's ViT Block: attn.qkv, attn.proj, mlp.fc1, mlp.fc2, norm1, norm2.</summary>
    public static EncoderLayerNames Timm { get; } = new("attn.qkv.weight", "attn.qkv.bias", "attn.proj", "mlp.fc1", "mlp.fc2", "norm1", "norm2");
}
