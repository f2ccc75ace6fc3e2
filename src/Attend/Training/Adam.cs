using Attend.Kernels;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>
/// Adam or AdamW over a model's parameter slab: the moments are twin slabs and a step is one flat loop over
/// contiguous segments. Weight decay applies to matrices only (rank 2 and above: weights and embeddings), not to
/// biases and layer-norm gains, as nanoGPT and Hugging Face group them, nor to matrices the model exempts
/// (<see cref="ParameterStore.Decays"/>).
/// </summary>
public sealed class Adam
{
    private readonly ParameterStore _parameters;

    /// <summary>An optimizer with zeroed moments for the parameters of <paramref name="parameters"/>.</summary>
    public Adam(ParameterStore parameters, AdamOptions options)
    {
        if (!parameters.IsBuilt)
            throw new ArgumentException("Adam: the parameter store is not built");
        _parameters = parameters;
        Options = options;
        M = new float[parameters.Count];
        V = new float[parameters.Count];
        const int chunk = 1 << 16;
        var segments = new List<(int Start, int Length, bool Decay)>();
        int at = 0;
        foreach (Tensor p in parameters.Parameters)
        {
            for (int s = 0; s < p.Length; s += chunk)
                segments.Add((at + s, Math.Min(chunk, p.Length - s), parameters.Decays(p)));
            at += p.Length;
        }
        _segments = [.. segments];
    }

    private readonly (int Start, int Length, bool Decay)[] _segments;

    /// <summary>The settings.</summary>
    public AdamOptions Options { get; }

    /// <summary>The first moments, laid out like the parameter slab.</summary>
    public float[] M { get; }

    /// <summary>The second moments.</summary>
    public float[] V { get; }

    /// <summary>The number of steps taken.</summary>
    public long StepCount { get; set; }

    /// <summary>Applies one update with learning rate <paramref name="lr"/> from the gradients in the slab.</summary>
    public void Step(float lr)
    {
        StepCount++;
        RowParallel.For(_segments.Length, 1 << 14, (adam: this, lr), static (a, s, e, _) =>
        {
            Adam adam = a.adam;
            float[] p = adam._parameters.Values, g = adam._parameters.Gradients;
            AdamOptions o = adam.Options;
            for (int c = s; c < e; c++)
            {
                (int start, int n, bool decay) = adam._segments[c];
                AdamKernel.Step(p.AsSpan(start, n), g.AsSpan(start, n), adam.M.AsSpan(start, n), adam.V.AsSpan(start, n),
                    a.lr, o.Beta1, o.Beta2, o.Eps, decay ? o.WeightDecay : 0f, o.Decoupled, adam.StepCount);
            }
        });
    }
}
