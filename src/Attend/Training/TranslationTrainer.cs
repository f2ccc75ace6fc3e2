using System.Diagnostics;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>What the trainer reports after each step.</summary>
public sealed record StepReport(long Step, int TotalSteps, float Loss, float LearningRate, double TokensPerSecond, TimeSpan Elapsed);

/// <summary>
/// Trains an encoder-decoder on tokenized sentence pairs: batches by token count, the schedule, Adam, validation every
/// N steps. The whole run is determined by the model's seed, the options and the state, so a run resumed from a
/// saved state continues exactly as the uninterrupted one would.
/// </summary>
public sealed class TranslationTrainer
{
    private readonly Seq2SeqTransformer _model;
    private readonly IReadOnlyList<(int[] Source, int[] Target)> _train;
    private readonly IReadOnlyList<(int[] Source, int[] Target)> _valid;
    private readonly LearningRateSchedule _schedule;
    private readonly int[] _lengths;

    /// <summary>A trainer starting from <paramref name="state"/> (a fresh run when null) with the optimizer <paramref name="adam"/> (fresh when null).</summary>
    public TranslationTrainer(Seq2SeqTransformer model, IReadOnlyList<(int[] Source, int[] Target)> train,
        IReadOnlyList<(int[] Source, int[] Target)> valid, TrainerOptions options, TrainerState? state = null, Adam? adam = null)
    {
        if (train.Count == 0)
            throw new ArgumentException("the training set is empty");
        _model = model;
        _train = train;
        _valid = valid;
        Options = options;
        _schedule = options.CreateSchedule(model.Config.DModel);
        _lengths = train.Select(p => Math.Max(p.Source.Length, p.Target.Length + 1)).ToArray();
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
        List<int[]> batches = BatchPlan.ForEpoch(_lengths, Options.MaxTokens, Options.Seed, State.Epoch);
        while (State.Step < Options.Steps && !cancel.IsCancellationRequested)
        {
            if (State.BatchIndex >= batches.Count)
            {
                State = State with { Epoch = State.Epoch + 1, BatchIndex = 0 };
                batches = BatchPlan.ForEpoch(_lengths, Options.MaxTokens, Options.Seed, State.Epoch);
            }
            TranslationBatch batch = TranslationBatch.Create(batches[State.BatchIndex].Select(i => _train[i]).ToList(),
                _model.Config.PadId, _model.Config.BosId, _model.Config.EosId);
            long step = State.Step + 1;
            float lr = _schedule.At(step);
            float loss = TrainingStep.Translation(_model, batch, Optimizer, lr, Options.Step);
            tokens += batch.TargetTokens;
            State.TrainLosses.Add((step, loss));
            State = State with { Step = step, BatchIndex = State.BatchIndex + 1, DropoutRng = _model.Dropout.Rng.GetState() };
            OnStep?.Invoke(new StepReport(step, Options.Steps, loss, lr, tokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds), clock.Elapsed));
            if (step % Options.ValidateEvery == 0 || step == Options.Steps)
                Validate();
        }
    }

    /// <summary>Computes the validation loss (mean cross-entropy per target token, no smoothing) and records it.</summary>
    public void Validate()
    {
        if (_valid.Count == 0)
            return;
        double loss = ValidationLoss(_model, _valid, Options.MaxTokens);
        State.ValidationLosses.Add((State.Step, loss));
        bool best = loss < State.BestValidationLoss;
        if (best)
            State = State with { BestValidationLoss = loss };
        OnValidation?.Invoke(State, best);
    }

    /// <summary>The mean cross-entropy per target token of <paramref name="pairs"/>.</summary>
    public static double ValidationLoss(Seq2SeqTransformer model, IReadOnlyList<(int[] Source, int[] Target)> pairs, int maxTokens)
    {
        using var noGrad = Autograd.NoGrad();
        int[] lengths = pairs.Select(p => Math.Max(p.Source.Length, p.Target.Length + 1)).ToArray();
        double total = 0;
        long count = 0;
        foreach (int[] indices in BatchPlan.ForEpoch(lengths, maxTokens, 0, 0))
        {
            using Workspace.Scope scope = Workspace.Begin();
            var batch = TranslationBatch.Create(indices.Select(i => pairs[i]).ToList(), model.Config.PadId, model.Config.BosId, model.Config.EosId);
            Tensor logits = model.Forward(batch.Source, batch.SourceLength, batch.SourcePadding, batch.TargetIn, batch.TargetLength, batch.TargetPadding, batch.Batch);
            int n = batch.TargetTokens;
            total += Ops.CrossEntropy(logits, batch.TargetOut, model.Config.PadId).Item() * (double)n;
            count += n;
        }
        return total / Math.Max(1, count);
    }
}
