namespace Attend.Training;

/// <summary>What the trainer needs of a task: its batches per epoch, one optimisation step, and the validation loss.</summary>
public interface ITrainingTask
{
    /// <summary>The batches of epoch <paramref name="epoch"/> (each a list of example or offset indices), a pure function of the epoch and the seed.</summary>
    IReadOnlyList<int[]> Batches(long epoch);

    /// <summary>
    /// One step on <paramref name="batch"/>; returns the loss and the number of tokens (or examples) it counted. With
    /// <paramref name="parallel"/>, <paramref name="batch"/> is the global batch: this rank trains on its share, and the
    /// loss and count returned are the global batch's.
    /// </summary>
    (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options, DataParallel? parallel = null);

    /// <summary>The mean loss per token on the validation data (NaN without validation data); with <paramref name="parallel"/> the ranks share the batches.</summary>
    double ValidationLoss(DataParallel? parallel = null);
}
