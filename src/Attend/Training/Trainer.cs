using Attend.Tensors;
using System.Diagnostics;
using Attend.Models;

namespace Attend.Training;

/// <summary>What the trainer reports after each step.</summary>
public sealed record StepReport(long Step, int TotalSteps, float Loss, float LearningRate, double TokensPerSecond, TimeSpan Elapsed);

/// <summary>
/// Runs a training task: its batches, the schedule, Adam, validation every N steps. The whole run is determined by
/// the model's seed, the options and the state, so a run resumed from a saved state continues exactly as the
/// uninterrupted one would.
/// </summary>
public sealed class Trainer
{
    private readonly ITransformerModel _model;
    private readonly ITrainingTask _task;
    private readonly LearningRateSchedule _schedule;

    /// <summary>A trainer starting from <paramref name="state"/> (a fresh run when null) with the optimizer <paramref name="adam"/> (fresh when null).</summary>
    public Trainer(ITransformerModel model, ITrainingTask task, TrainerOptions options, TrainerState? state = null, Adam? adam = null)
    {
        _model = model;
        _task = task;
        Options = options;
        _schedule = options.CreateSchedule(model.Config.DModel);
        Optimizer = adam ?? new Adam(model.Parameters, options.Adam);
        State = state ?? new TrainerState();
        if (State.DropoutRng.Length == 4)
            model.Dropout.Rng.SetState(State.DropoutRng);
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The optimizer and its moments.</summary>
    public Adam Optimizer { get; }

    /// <summary>Where the run stands.</summary>
    public TrainerState State { get; private set; }

    /// <summary>Called after every step.</summary>
    public Action<StepReport>? OnStep { get; set; }

    /// <summary>Called after each validation with the state (which holds the new validation loss) and whether it is the best so far.</summary>
    public Action<TrainerState, bool>? OnValidation { get; set; }

    /// <summary>Runs until <see cref="TrainerOptions.Steps"/> steps are done or <paramref name="cancel"/> fires (after the step in progress).</summary>
    public void Run(CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        IReadOnlyList<int[]> batches = _task.Batches(State.Epoch);
        if (batches.Count == 0)
            throw new ArgumentException("the training data gives no batch");
        while (State.Step < Options.Steps && !cancel.IsCancellationRequested)
        {
            if (State.BatchIndex >= batches.Count)
            {
                State = State with { Epoch = State.Epoch + 1, BatchIndex = 0 };
                batches = _task.Batches(State.Epoch);
            }
            long step = State.Step + 1;
            float lr = _schedule.At(step);
            (float loss, int counted) = _task.Step(batches[State.BatchIndex], Optimizer, lr, Options.Step);
            tokens += counted;
            State.TrainLosses.Add((step, loss));
            State = State with { Step = step, BatchIndex = State.BatchIndex + 1, DropoutRng = _model.Dropout.Rng.GetState() };
            OnStep?.Invoke(new StepReport(step, Options.Steps, loss, lr, tokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds), clock.Elapsed));
            if (step % Options.ValidateEvery == 0 || step == Options.Steps)
                Validate();
        }
    }

    /// <summary>Computes the validation loss and records it (nothing without validation data).</summary>
    public void Validate()
    {
        // validation batches have other shapes than training steps: free the training buffers first, so the two sets
        // are not held at once (the next steps take them again from the collector)
        Workspace.Trim();
        double loss = _task.ValidationLoss();
        if (double.IsNaN(loss))
            return;
        State.ValidationLosses.Add((State.Step, loss));
        bool best = loss < State.BestValidationLoss;
        if (best)
            State = State with { BestValidationLoss = loss };
        OnValidation?.Invoke(State, best);
    }
}
