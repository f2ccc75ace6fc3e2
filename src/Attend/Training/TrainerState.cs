namespace Attend.Training;

/// <summary>Where a run stands: enough, with the model and the optimizer moments, to continue it exactly.</summary>
public sealed record TrainerState
{
    /// <summary>Steps completed.</summary>
    public long Step { get; init; }

    /// <summary>The epoch the next batch comes from.</summary>
    public long Epoch { get; init; }

    /// <summary>The index of the next batch within that epoch.</summary>
    public int BatchIndex { get; init; }

    /// <summary>The dropout generator's state.</summary>
    public ulong[] DropoutRng { get; init; } = [];

    /// <summary>The best validation loss so far (infinity before the first validation).</summary>
    public double BestValidationLoss { get; init; } = double.PositiveInfinity;

    /// <summary>(step, training loss) for the loss curve.</summary>
    public List<(long Step, double Loss)> TrainLosses { get; init; } = [];

    /// <summary>(step, validation loss) for the loss curve.</summary>
    public List<(long Step, double Loss)> ValidationLosses { get; init; } = [];
}
