using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// One encoder layer, named as PyTorch's nn.TransformerEncoderLayer ("{name}.self_attn", "linear1", "linear2", "norm1", "norm2")
/// or as another implementation's layer: Hugging Face's BertLayer, timm's ViT Block (<see cref="EncoderLayerNames"/>).
/// Post-norm (the paper): x = LN1(x + SA(x)); x = LN2(x + FFN(x)). Pre-norm: x = x + SA(LN1(x)); x = x + FFN(LN2(x)).
/// </summary>
public sealed class EncoderLayer
{
    private readonly DropoutSource _dropout;

    /// <summary>Declares the layer's parameters under <paramref name="name"/>, with nn.TransformerEncoderLayer's names.</summary>
    public EncoderLayer(ParameterStore store, string name, ModelShape shape, DropoutSource dropout)
        : this(store, EncoderLayerNames.PyTorch(name), shape, dropout)
    {
    }

    /// <summary>Declares the layer's parameters under <paramref name="names"/> (PyTorch's, BERT's or timm's).</summary>
    public EncoderLayer(ParameterStore store, EncoderLayerNames names, ModelShape shape, DropoutSource dropout)
    {
        _dropout = dropout;
        NormFirst = shape.NormFirst;
        SelfAttention = new MultiHeadAttention(store, names.SelfAttention, shape.DModel, shape.Heads, dropout);
        FeedForward = new FeedForward(new Linear(store, names.Linear1, shape.DModel, shape.DFF),
            new Linear(store, names.Linear2, shape.DFF, shape.DModel), shape.Activation, dropout);
        Norm1 = new LayerNorm(store, names.Norm1, shape.DModel, shape.LayerNormEps);
        Norm2 = new LayerNorm(store, names.Norm2, shape.DModel, shape.LayerNormEps);
    }

    /// <summary>Self-attention.</summary>
    public MultiHeadAttention SelfAttention { get; }

    /// <summary>The position-wise feed-forward block.</summary>
    public FeedForward FeedForward { get; }

    /// <summary>The norm after (or before) attention.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The norm after (or before) the feed-forward block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>True for pre-norm.</summary>
    public bool NormFirst { get; }

    /// <summary>
    /// Inference over sequences laid end to end without padding: x [N, dModel], lengths as
    /// <see cref="MultiHeadAttention.ForwardUnpadded"/> takes them; returns [N, dModel].
    /// </summary>
    public Tensor ForwardUnpadded(Tensor x, int[] lengths)
    {
        if (NormFirst)
        {
            x = Ops.Add(x, SelfAttention.ForwardUnpadded(Norm1.Forward(x), lengths));
            return Ops.Add(x, FeedForward.Forward(Norm2.Forward(x)));
        }
        x = Norm1.Forward(Ops.Add(x, SelfAttention.ForwardUnpadded(x, lengths)));
        return Norm2.Forward(Ops.Add(x, FeedForward.Forward(x)));
    }

    /// <summary>x [B, T, dModel] to [B, T, dModel]; padding [B * T] marks keys to ignore.</summary>
    public Tensor Forward(Tensor x, bool[]? padding)
    {
        if (NormFirst)
        {
            x = Ops.Add(x, _dropout.Apply(SelfAttention.Forward(Norm1.Forward(x), null, padding, false)));
            return Ops.Add(x, _dropout.Apply(FeedForward.Forward(Norm2.Forward(x))));
        }
        x = Norm1.Forward(Ops.Add(x, _dropout.Apply(SelfAttention.Forward(x, null, padding, false))));
        return Norm2.Forward(Ops.Add(x, _dropout.Apply(FeedForward.Forward(x))));
    }
}
