using Attend.Distributed;
using Attend.Tensors;
using System.Diagnostics;
using Attend.Models;

namespace Attend.Training;

/// <summary>What the trainer reports after each step.</summary>
public sealed record StepReport(long Step, int TotalSteps, float Loss, float LearningRate, double TokensPerSecond, TimeSpan Elapsed);

/// <summary>
/// Runs a training task: its batches, the schedule, Adam, validation every N steps. The whole run is determined by
/// the model's seed, the options and the state, so a run resumed from a saved state continues exactly as the
/// uninterrupted one would. Given a <see cref="Communicator"/>, the trainer is one rank of data-parallel training
/// (<see cref="DataParallel"/>): every rank runs it with the same arguments, and the run is the same whatever the number
/// of ranks.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ITransformerModel _model;
    private readonly ITrainingTask _task;
    private readonly LearningRateSchedule _schedule;
    private bool _synchronized;

    /// <summary>
    /// A trainer starting from <paramref name="state"/> (a fresh run when null) with the optimizer <paramref name="adam"/>
    /// (fresh when null); with <paramref name="communicator"/>, one rank of a data-parallel run.
    /// </summary>
    public Trainer(ITransformerModel model, ITrainingTask task, TrainerOptions options, TrainerState? state = null, Adam? adam = null,
        Communicator? communicator = null)
    {
        _model = model;
        _task = task;
        Options = options;
        _schedule = options.CreateSchedule(model.Config.DModel);
        Optimizer = adam ?? new Adam(model.Parameters, options.Adam);
        State = state ?? new TrainerState();
        if (State.DropoutRng.Length == 4)
            model.Dropout.Rng.SetState(State.DropoutRng);
        Parallel = communicator is null ? null : new DataParallel(communicator, model.Parameters, options.DataParallel);
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The optimizer and its moments.</summary>
    public Adam Optimizer { get; }

    /// <summary>Where the run stands.</summary>
    public TrainerState State { get; private set; }

    /// <summary>Data parallelism, when the trainer was given a communicator.</summary>
    public DataParallel? Parallel { get; }

    /// <summary>True when the last <see cref="Run"/> ended because a stop was requested (on any rank), before all steps were done.</summary>
    public bool Stopped { get; private set; }

    /// <summary>The time spent in training steps (validation left out), over all runs of this trainer.</summary>
    public TimeSpan StepTime { get; private set; }

    /// <summary>Called after every step.</summary>
    public Action<StepReport>? OnStep { get; set; }

    /// <summary>Called after each validation with the state (which holds the new validation loss) and whether it is the best so far.</summary>
    public Action<TrainerState, bool>? OnValidation { get; set; }

    /// <summary>
    /// Runs until <see cref="TrainerOptions.Steps"/> steps are done or <paramref name="cancel"/> fires (after the step in
    /// progress; in a data-parallel run every rank stops after the same step).
    /// </summary>
    public void Run(CancellationToken cancel = default)
    {
        Synchronize();
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        IReadOnlyList<int[]> batches = _task.Batches(State.Epoch);
        if (batches.Count == 0)
            throw new ArgumentException("the training data gives no batch");
        Stopped = false;
        while (State.Step < Options.Steps)
        {
            if (Parallel is null ? cancel.IsCancellationRequested : Parallel.StopAgreed)
            {
                Stopped = true;
                break;
            }
            if (Parallel is not null)
                Parallel.StopRequested = cancel.IsCancellationRequested;
            if (State.BatchIndex >= batches.Count)
            {
                State = State with { Epoch = State.Epoch + 1, BatchIndex = 0 };
                batches = _task.Batches(State.Epoch);
            }
            long step = State.Step + 1;
            float lr = _schedule.At(step);
            long started = Stopwatch.GetTimestamp();
            int[] batch = batches[State.BatchIndex];
            (float loss, int counted) = Parallel is null ? _task.Step(batch, Optimizer, lr, Options.Step) : _task.Step(batch, Optimizer, lr, Options.Step, Parallel);
            StepTime += Stopwatch.GetElapsedTime(started);
            tokens += counted;
            State.TrainLosses.Add((step, loss));
            State = State with { Step = step, BatchIndex = State.BatchIndex + 1, DropoutRng = _model.Dropout.Rng.GetState() };
            OnStep?.Invoke(new StepReport(step, Options.Steps, loss, lr, tokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds), clock.Elapsed));
            if (step % Options.ValidateEvery == 0 || step == Options.Steps)
            {
                Parallel?.CheckReplicas(_model.Parameters, step);
                Validate();
            }
        }
    }

    /// <summary>Computes the validation loss and records it (nothing without validation data).</summary>
    public void Validate()
    {
        Synchronize();
        // validation batches have other shapes than training steps: free the training buffers first, so the two sets
        // are not held at once (the next steps take them again from the collector)
        Workspace.Trim();
        double loss = Parallel is null ? _task.ValidationLoss() : _task.ValidationLoss(Parallel);
        if (double.IsNaN(loss))
            return;
        State.ValidationLosses.Add((State.Step, loss));
        bool best = loss < State.BestValidationLoss;
        if (best)
            State = State with { BestValidationLoss = loss };
        OnValidation?.Invoke(State, best);
    }

    /// <summary>Stops data parallelism's communication thread.</summary>
    public void Dispose() => Parallel?.Dispose();

    // A data-parallel run starts every rank from rank 0's parameters, optimizer moments and position (once per trainer).
    private void Synchronize()
    {
        if (Parallel is null || _synchronized)
            return;
        State = Parallel.Synchronize(_model.Parameters, Optimizer, State);
        if (State.DropoutRng.Length == 4)
            _model.Dropout.Rng.SetState(State.DropoutRng);
        Parallel.Communicator.Timeout = Options.DataParallel.Timeout;
        _synchronized = true;
    }
}
