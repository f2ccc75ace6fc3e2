namespace Attend.Training;

/// <summary>The settings of Adam and AdamW.</summary>
public sealed record AdamOptions
{
    /// <summary>beta1, the decay of the first moment (the paper: 0.9).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>beta2, the decay of the second moment (the paper: 0.98).</summary>
    public float Beta2 { get; init; } = 0.98f;

    /// <summary>eps added to the denominator (the paper: 1e-9).</summary>
    public float Eps { get; init; } = 1e-9f;

    /// <summary>Weight decay of the matrices (not biases or layer-norm gains); 0 turns it off.</summary>
    public float WeightDecay { get; init; }

    /// <summary>True for AdamW (decay applied to the weights directly), false for Adam (decay added to the gradient).</summary>
    public bool Decoupled { get; init; }
}
