namespace Attend.Tensors;

/// <summary>
/// What an operation keeps from its forward pass for its backward rule: rented buffers, ids and numbers. It lives in
/// the result tensor (next to the operation's inputs), so recording an operation creates no object of its own; each
/// operation's file says what it keeps in which field.
/// </summary>
internal struct SavedForBackward
{
    /// <summary>A buffer the backward rule reads (softmax probabilities, layer-norm means, a dropout mask).</summary>
    public float[]? Buffer0;

    /// <summary>A second buffer.</summary>
    public float[]? Buffer1;

    /// <summary>Token ids or class targets.</summary>
    public int[]? Ids;

    /// <summary>A number (a scale, a label smoothing).</summary>
    public float Scalar;

    /// <summary>Integers (a dimension, a count, an index).</summary>
    public int Int0, Int1, Int2;

    /// <summary>Switches (which operands are transposed).</summary>
    public bool Flag0, Flag1;

    /// <summary>A counter-based dropout mask, regenerated in the backward pass.</summary>
    public DropoutMasks.CounterMask Counter;

    /// <summary>A boolean mask of the forward pass (key padding).</summary>
    public bool[]? Mask;
}
