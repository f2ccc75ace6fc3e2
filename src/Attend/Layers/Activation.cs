namespace Attend.Layers;

/// <summary>The non-linearity of a feed-forward block.</summary>
public enum Activation
{
    /// <summary>max(0, x), the paper's.</summary>
    Relu,

    /// <summary>x Phi(x), the exact (erf) GELU of BERT and PyTorch's default.</summary>
    Gelu,

    /// <summary>0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), GPT-2's approximation ("gelu_new").</summary>
    GeluTanh,
}
