using Attend.Tensors;

namespace Attend.Layers;

/// <summary>y = (x - mean) / sqrt(var + eps) * gamma + beta over the last dimension; gamma "{name}.weight", beta "{name}.bias".</summary>
public sealed class LayerNorm(ParameterStore store, string name, int dModel, float eps)
{
    /// <summary>gamma [dModel], initialised to ones.</summary>
    public Tensor Gamma { get; } = store.Create($"{name}.weight", new Shape(dModel), ParameterInit.Ones);

    /// <summary>beta [dModel], initialised to zeros.</summary>
    public Tensor Beta { get; } = store.Create($"{name}.bias", new Shape(dModel), ParameterInit.Zeros);

    /// <summary>The epsilon added to the variance.</summary>
    public float Eps { get; } = eps;

    /// <summary>Normalises x [..., dModel].</summary>
    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, Gamma, Beta, Eps);
}
