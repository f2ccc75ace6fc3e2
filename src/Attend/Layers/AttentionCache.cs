using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// The keys and values one attention layer has already computed while decoding: for self-attention they grow by one
/// position a step; for cross-attention they are computed once from the encoder's output and reused.
/// </summary>
public sealed class AttentionCache
{
    /// <summary>K [B, H, t, Dk], or null before the first step.</summary>
    public Tensor? K { get; internal set; }

    /// <summary>V [B, H, t, Dk], or null before the first step.</summary>
    public Tensor? V { get; internal set; }

    /// <summary>The number of cached positions.</summary>
    public int Length => K?.Shape[2] ?? 0;
}
