namespace Attend.Training;

/// <summary>Clipping by global norm, as PyTorch's clip_grad_norm_: if ||g|| &gt; max, g *= max / (||g|| + 1e-6).</summary>
public static class GradientClipping
{
    /// <summary>Clips <paramref name="gradients"/> in place and returns the norm before clipping (NaN and infinity pass through).</summary>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        double sum = 0;
        foreach (float g in gradients)
            sum += (double)g * g;
        float norm = (float)Math.Sqrt(sum);
        if (maxNorm > 0f && norm > maxNorm && float.IsFinite(norm))
            System.Numerics.Tensors.TensorPrimitives.Multiply(gradients, maxNorm / (norm + 1e-6f), gradients);
        return norm;
    }
}
