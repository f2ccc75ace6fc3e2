using Attend.Tensors;

namespace Attend.Layers;

/// <summary>The dropout probability, the training switch and the seeded generator shared by a model's layers.</summary>
public sealed class DropoutSource(float p, ulong seed)
{
    /// <summary>The probability of zeroing an element while training.</summary>
    public float P { get; } = p;

    /// <summary>True while training; dropout is the identity otherwise.</summary>
    public bool Training { get; set; }

    /// <summary>The generator the masks are drawn from (its state is saved with a checkpoint).</summary>
    public Rng Rng { get; } = new(seed);

    /// <summary>The probability in effect now: P while training, else 0.</summary>
    public float Active => Training ? P : 0f;

    /// <summary>dropout(x) while training, else x.</summary>
    public Tensor Apply(Tensor x) => Training && P > 0f ? Ops.Dropout(x, P, Rng) : x;
}
