using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// A decoder-only block named as nanoGPT's Block ("{name}.ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"):
/// pre-norm x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)) with causal self-attention, or post-norm as an option.
/// </summary>
public sealed class GptBlock
{
    private readonly DropoutSource _dropout;

    /// <summary>Declares the block's parameters under <paramref name="name"/>.</summary>
    public GptBlock(ParameterStore store, string name, ModelShape shape, DropoutSource dropout)
    {
        _dropout = dropout;
        NormFirst = shape.NormFirst;
        Norm1 = new LayerNorm(store, $"{name}.ln_1", shape.DModel, shape.LayerNormEps);
        Attention = new MultiHeadAttention(store, $"{name}.attn.c_attn.weight", $"{name}.attn.c_attn.bias", $"{name}.attn.c_proj",
            shape.DModel, shape.Heads, dropout);
        Norm2 = new LayerNorm(store, $"{name}.ln_2", shape.DModel, shape.LayerNormEps);
        Mlp = new FeedForward(new Linear(store, $"{name}.mlp.c_fc", shape.DModel, shape.DFF),
            new Linear(store, $"{name}.mlp.c_proj", shape.DFF, shape.DModel), shape.Activation, NoDropout);
    }

    private static readonly DropoutSource NoDropout = new(0f, 0);

    /// <summary>Causal self-attention.</summary>
    public MultiHeadAttention Attention { get; }

    /// <summary>The feed-forward block.</summary>
    public FeedForward Mlp { get; }

    /// <summary>The norm of the attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The norm of the feed-forward block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>True for pre-norm (nanoGPT).</summary>
    public bool NormFirst { get; }

    /// <summary>x [B, T, dModel] to [B, T, dModel]; with a cache x holds only the new positions.</summary>
    public Tensor Forward(Tensor x, bool[]? padding, AttentionCache? cache = null)
    {
        if (NormFirst)
        {
            x = Ops.Add(x, _dropout.Apply(Attention.Forward(Norm1.Forward(x), null, padding, true, cache)));
            return Ops.Add(x, _dropout.Apply(Mlp.Forward(Norm2.Forward(x))));
        }
        x = Norm1.Forward(Ops.Add(x, _dropout.Apply(Attention.Forward(x, null, padding, true, cache))));
        return Norm2.Forward(Ops.Add(x, _dropout.Apply(Mlp.Forward(x))));
    }

    /// <summary>One step of sequences with their own caches: x [N, 1, dModel], caches[i] the layer's cache of sequence i.</summary>
    public Tensor ForwardStep(Tensor x, IReadOnlyList<AttentionCache> caches)
    {
        if (NormFirst)
        {
            x = Ops.Add(x, Attention.ForwardStep(Norm1.Forward(x), caches));
            return Ops.Add(x, Mlp.Forward(Norm2.Forward(x)));
        }
        x = Norm1.Forward(Ops.Add(x, Attention.ForwardStep(x, caches)));
        return Norm2.Forward(Ops.Add(x, Mlp.Forward(x)));
    }
}
