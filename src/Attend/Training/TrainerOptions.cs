namespace Attend.Training;

/// <summary>The settings of a training run.</summary>
public sealed record TrainerOptions
{
    /// <summary>Optimisation steps to run in total.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Padded tokens per batch (rows x longest sequence).</summary>
    public int MaxTokens { get; init; } = 4096;

    /// <summary>"noam" (the paper's warm-up), "cosine" or "constant".</summary>
    public string Schedule { get; init; } = "cosine";

    /// <summary>Peak learning rate of the cosine and constant schedules; the factor of the noam schedule.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>The cosine schedule's final learning rate.</summary>
    public float MinLearningRate { get; init; } = 1e-4f;

    /// <summary>Warm-up steps.</summary>
    public int Warmup { get; init; } = 200;

    /// <summary>Adam's settings.</summary>
    public AdamOptions Adam { get; init; } = new();

    /// <summary>Loss and clipping settings.</summary>
    public StepOptions Step { get; init; } = new();

    /// <summary>Validate (and checkpoint) every this many steps.</summary>
    public int ValidateEvery { get; init; } = 200;

    /// <summary>Data parallelism's settings (used when the trainer is given a communicator).</summary>
    public DataParallelOptions DataParallel { get; init; } = new();

    /// <summary>The seed of the data order (the model's seed is separate).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The learning-rate schedule these options describe for a model of width <paramref name="dModel"/>.</summary>
    public LearningRateSchedule CreateSchedule(int dModel) => Schedule switch
    {
        "noam" => new NoamSchedule(dModel, Warmup, LearningRate),
        "cosine" => new CosineSchedule(LearningRate, MinLearningRate, Warmup, Steps),
        "constant" => new ConstantSchedule(LearningRate),
        _ => throw new ArgumentException($"unknown schedule '{Schedule}' (noam, cosine or constant)"),
    };
}
