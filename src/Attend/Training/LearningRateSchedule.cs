namespace Attend.Training;

/// <summary>Learning rate as a function of the step (counted from 1).</summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate at <paramref name="step"/>.</summary>
    public abstract float At(long step);
}

/// <summary>The paper's schedule: lr = factor * dModel^-0.5 * min(step^-0.5, step * warmup^-1.5).</summary>
public sealed record NoamSchedule(int DModel, int Warmup, float Factor = 1f) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override float At(long step)
    {
        double s = Math.Max(1, step);
        return (float)(Factor * Math.Pow(DModel, -0.5) * Math.Min(Math.Pow(s, -0.5), s * Math.Pow(Warmup, -1.5)));
    }
}

/// <summary>Linear warm-up to <paramref name="MaxLr"/> over <paramref name="Warmup"/> steps, then cosine decay to <paramref name="MinLr"/> at <paramref name="DecaySteps"/> (nanoGPT).</summary>
public sealed record CosineSchedule(float MaxLr, float MinLr, int Warmup, int DecaySteps) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override float At(long step)
    {
        if (step < Warmup)
            return MaxLr * (step + 1) / (Warmup + 1);
        if (step > DecaySteps)
            return MinLr;
        double ratio = (double)(step - Warmup) / Math.Max(1, DecaySteps - Warmup);
        return (float)(MinLr + 0.5 * (1.0 + Math.Cos(Math.PI * ratio)) * (MaxLr - MinLr));
    }
}

/// <summary>A constant learning rate.</summary>
public sealed record ConstantSchedule(float Lr) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override float At(long step) => Lr;
}
