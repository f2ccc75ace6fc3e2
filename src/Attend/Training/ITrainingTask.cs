using Attend.Distributed;

namespace Attend.Training;

/// <summary>What the trainer needs of a task: its batches per epoch, one optimisation step, and the validation loss.</summary>
public interface ITrainingTask
{
    /// <summary>The batches of epoch <paramref name="epoch"/> (each a list of example or offset indices), a pure function of the epoch and the seed.</summary>
    IReadOnlyList<int[]> Batches(long epoch);

    /// <summary>One step on <paramref name="batch"/>; returns the loss and the number of tokens (or examples) it counted.</summary>
    (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options);

    /// <summary>The mean loss per token on the validation data (NaN without validation data).</summary>
    double ValidationLoss();

    /// <summary>
    /// One data-parallel step: <paramref name="batch"/> is the global batch, this rank trains on its share, and the loss
    /// and count returned are the global batch's. A task without data parallelism stops every rank with an error.
    /// </summary>
    (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options, DataParallel parallel) =>
        throw new AllRanksException($"{GetType().Name} cannot train data-parallel (under mpirun)");

    /// <summary>The validation loss with the ranks sharing the batches (all ranks get the same value).</summary>
    double ValidationLoss(DataParallel parallel) =>
        throw new AllRanksException($"{GetType().Name} cannot validate data-parallel (under mpirun)");
}
