using Attend.Tensors;

namespace Attend.Layers;

/// <summary>FFN(x) = W2 dropout(act(W1 x + b1)) + b2, act = ReLU (the paper), GELU or GPT-2's tanh GELU.</summary>
public sealed class FeedForward(Linear w1, Linear w2, Activation activation, DropoutSource dropout)
{
    /// <summary>The expansion to dFF.</summary>
    public Linear W1 { get; } = w1;

    /// <summary>The projection back to dModel.</summary>
    public Linear W2 { get; } = w2;

    /// <summary>The non-linearity between the two.</summary>
    public Activation Activation { get; } = activation;

    /// <summary>[..., dModel] to [..., dModel].</summary>
    public Tensor Forward(Tensor x)
    {
        Tensor h = W1.Forward(x);                 // [B, T, dFF]
        h = Activation switch
        {
            Activation.Gelu => Ops.Gelu(h),
            Activation.GeluTanh => Ops.GeluTanh(h),
            _ => Ops.Relu(h),
        };
        return W2.Forward(dropout.Apply(h));      // [B, T, dModel]
    }
}
