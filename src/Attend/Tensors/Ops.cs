namespace Attend.Tensors;

/// <summary>
/// The differentiable operations on tensors, one file per operation with its forward and backward side by side.
/// Each checks its shapes (an <see cref="ArgumentException"/> names the operation and the shapes), computes its
/// result with the kernels, and, when gradients flow, records how to add its output gradient into its inputs' gradients.
/// </summary>
public static partial class Ops;
