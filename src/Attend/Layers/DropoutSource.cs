using Attend.Tensors;

namespace Attend.Layers;

/// <summary>The dropout probability, the training switch and the seeded generator shared by a model's layers.</summary>
public sealed class DropoutSource(float p, ulong seed)
{
    /// <summary>The probability of zeroing an element while training.</summary>
    public float P { get; } = p;

    /// <summary>True while training; dropout is the identity otherwise.</summary>
    public bool Training { get; set; }

    /// <summary>Where the masks come from: keyed by the step and the global position of each sequence.</summary>
    public DropoutMasks Masks { get; } = new(seed);

    /// <summary>The generator the masks' step keys are drawn from (its state is saved with a checkpoint).</summary>
    public Rng Rng => Masks.Stream;

    /// <summary>The probability in effect now: P while training, else 0.</summary>
    public float Active => Training ? P : 0f;

    /// <summary>dropout(x) while training, else x.</summary>
    public Tensor Apply(Tensor x) => Training && P > 0f ? Ops.Dropout(x, P, Masks) : x;
}
