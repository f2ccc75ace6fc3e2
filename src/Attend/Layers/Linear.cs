using Attend.Tensors;

namespace Attend.Layers;

/// <summary>y = x W^T + b, PyTorch's nn.Linear: W [out, in] named "{name}.weight", b [out] named "{name}.bias".</summary>
public sealed class Linear
{
    /// <summary>Declares the parameters in <paramref name="store"/>.</summary>
    public Linear(ParameterStore store, string name, int inFeatures, int outFeatures, bool bias = true, ParameterInit init = ParameterInit.XavierUniform)
    {
        Weight = store.Create($"{name}.weight", new Shape(outFeatures, inFeatures), init);
        Bias = bias ? store.Create($"{name}.bias", new Shape(outFeatures), ParameterInit.Zeros) : null;
    }

    /// <summary>A linear layer over existing weight and bias tensors (packed or tied weights).</summary>
    public Linear(Tensor weight, Tensor? bias)
    {
        Weight = weight;
        Bias = bias;
    }

    /// <summary>W [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>b [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>y = x W^T + b: [..., in] to [..., out].</summary>
    public Tensor Forward(Tensor x) => Ops.Linear(x, Weight, Bias);
}
