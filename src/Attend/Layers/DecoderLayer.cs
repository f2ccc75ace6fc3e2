using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// One decoder layer, named as PyTorch's nn.TransformerDecoderLayer ("self_attn", "multihead_attn", "linear1", "linear2",
/// "norm1".."norm3"): masked self-attention, cross-attention (Q from the target, K and V from the encoder's output),
/// feed-forward, each with a residual connection and layer norm (post-norm, or pre-norm as an option).
/// </summary>
public sealed class DecoderLayer
{
    private readonly DropoutSource _dropout;

    /// <summary>Declares the layer's parameters under <paramref name="name"/>.</summary>
    public DecoderLayer(ParameterStore store, string name, ModelShape shape, DropoutSource dropout)
    {
        _dropout = dropout;
        NormFirst = shape.NormFirst;
        SelfAttention = new MultiHeadAttention(store, $"{name}.self_attn.in_proj_weight", $"{name}.self_attn.in_proj_bias",
            $"{name}.self_attn.out_proj", shape.DModel, shape.Heads, dropout);
        CrossAttention = new MultiHeadAttention(store, $"{name}.multihead_attn.in_proj_weight", $"{name}.multihead_attn.in_proj_bias",
            $"{name}.multihead_attn.out_proj", shape.DModel, shape.Heads, dropout);
        FeedForward = new FeedForward(new Linear(store, $"{name}.linear1", shape.DModel, shape.DFF),
            new Linear(store, $"{name}.linear2", shape.DFF, shape.DModel), shape.Activation, dropout);
        Norm1 = new LayerNorm(store, $"{name}.norm1", shape.DModel, shape.LayerNormEps);
        Norm2 = new LayerNorm(store, $"{name}.norm2", shape.DModel, shape.LayerNormEps);
        Norm3 = new LayerNorm(store, $"{name}.norm3", shape.DModel, shape.LayerNormEps);
    }

    /// <summary>Masked self-attention over the target.</summary>
    public MultiHeadAttention SelfAttention { get; }

    /// <summary>Attention from the target to the encoder's output.</summary>
    public MultiHeadAttention CrossAttention { get; }

    /// <summary>The position-wise feed-forward block.</summary>
    public FeedForward FeedForward { get; }

    /// <summary>Norm of the self-attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Norm of the cross-attention block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Norm of the feed-forward block.</summary>
    public LayerNorm Norm3 { get; }

    /// <summary>True for pre-norm.</summary>
    public bool NormFirst { get; }

    /// <summary>
    /// x [B, Tt, dModel], memory [B, Ts, dModel] to [B, Tt, dModel]. targetPadding [B * Tt] and memoryPadding [B * Ts]
    /// mark padding; the self-attention is causal. With caches, x holds only the new positions.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor memory, bool[]? targetPadding, bool[]? memoryPadding,
        AttentionCache? selfCache = null, AttentionCache? crossCache = null)
    {
        if (NormFirst)
        {
            x = Ops.Add(x, _dropout.Apply(SelfAttention.Forward(Norm1.Forward(x), null, targetPadding, true, selfCache)));
            x = Ops.Add(x, _dropout.Apply(CrossAttention.Forward(Norm2.Forward(x), memory, memoryPadding, false, crossCache)));
            return Ops.Add(x, _dropout.Apply(FeedForward.Forward(Norm3.Forward(x))));
        }
        x = Norm1.Forward(Ops.Add(x, _dropout.Apply(SelfAttention.Forward(x, null, targetPadding, true, selfCache))));
        x = Norm2.Forward(Ops.Add(x, _dropout.Apply(CrossAttention.Forward(x, memory, memoryPadding, false, crossCache))));
        return Norm3.Forward(Ops.Add(x, _dropout.Apply(FeedForward.Forward(x))));
    }
}
