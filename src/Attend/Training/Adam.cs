using Attend.Kernels;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>Adam or AdamW over a model's parameter slab: the moments are twin slabs and a step is one flat loop.</summary>
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
    }

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
        float[] p = _parameters.Values, g = _parameters.Gradients;
        const int chunk = 1 << 16;
        int chunks = (p.Length + chunk - 1) / chunk;
        long step = StepCount;
        AdamOptions o = Options;
        RowParallel.For(chunks, chunk, (s, e) =>
        {
            for (int c = s; c < e; c++)
            {
                int start = c * chunk, n = Math.Min(chunk, p.Length - start);
                AdamKernel.Step(p.AsSpan(start, n), g.AsSpan(start, n), M.AsSpan(start, n), V.AsSpan(start, n),
                    lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.Decoupled, step);
            }
        });
    }
}
