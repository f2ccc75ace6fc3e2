namespace Attend.Layers;

/// <summary>
/// The parameter names of an encoder layer, as PyTorch's nn.TransformerEncoderLayer, Hugging Face's BertLayer or timm's
/// Vision Transformer Block names them.
/// </summary>
/// <param name="SelfAttention">The attention block.</param>
/// <param name="Linear1">The feed-forward expansion's prefix.</param>
/// <param name="Linear2">The feed-forward projection's prefix.</param>
/// <param name="Norm1">The norm of the attention block.</param>
/// <param name="Norm2">The norm of the feed-forward block.</param>
public sealed record EncoderLayerNames(AttentionNames SelfAttention, string Linear1, string Linear2, string Norm1, string Norm2)
{
    /// <summary>nn.TransformerEncoderLayer: "{name}.self_attn.in_proj_weight", "linear1", "linear2", "norm1", "norm2".</summary>
    public static EncoderLayerNames PyTorch(string name) => new(
        AttentionNames.Packed($"{name}.self_attn.in_proj_weight", $"{name}.self_attn.in_proj_bias", $"{name}.self_attn.out_proj"),
        $"{name}.linear1", $"{name}.linear2", $"{name}.norm1", $"{name}.norm2");

    /// <summary>
    /// BertLayer: "{name}.attention.self.query/key/value", "attention.output.dense", "attention.output.LayerNorm",
    /// "intermediate.dense", "output.dense", "output.LayerNorm".
    /// </summary>
    public static EncoderLayerNames Bert(string name) => new(
        AttentionNames.Separate($"{name}.attention.self.query", $"{name}.attention.self.key", $"{name}.attention.self.value", $"{name}.attention.output.dense"),
        $"{name}.intermediate.dense", $"{name}.output.dense", $"{name}.attention.output.LayerNorm", $"{name}.output.LayerNorm");

    /// <summary>timm's ViT Block: "{name}.attn.qkv" (packed), "attn.proj", "mlp.fc1", "mlp.fc2", "norm1", "norm2".</summary>
    public static EncoderLayerNames Timm(string name) => new(
        AttentionNames.Packed($"{name}.attn.qkv.weight", $"{name}.attn.qkv.bias", $"{name}.attn.proj"),
        $"{name}.mlp.fc1", $"{name}.mlp.fc2", $"{name}.norm1", $"{name}.norm2");
}
