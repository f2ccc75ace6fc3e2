using Attend.Tensors;

namespace Attend.Layers;

/// <summary>FFN(x) = W2 dropout(act(W1 x + b1)) + b2, act = ReLU (the paper) or GELU.</summary>
public sealed class FeedForward(Linear w1, Linear w2, bool gelu, DropoutSource dropout)
{
    /// <summary>The expansion to dFF.</summary>
    public Linear W1 { get; } = w1;

    /// <summary>The projection back to dModel.</summary>
    public Linear W2 { get; } = w2;

    /// <summary>[..., dModel] to [..., dModel].</summary>
    public Tensor Forward(Tensor x)
    {
        Tensor h = W1.Forward(x);                 // [B, T, dFF]
        h = gelu ? Ops.Gelu(h) : Ops.Relu(h);
        return W2.Forward(dropout.Apply(h));      // [B, T, dModel]
    }
}
