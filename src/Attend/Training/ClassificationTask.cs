using Attend.Decoding;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>Classification of token sequences: examples batched by token count, one label per example.</summary>
public sealed class ClassificationTask : ITrainingTask
{
    private readonly ISequenceClassifier _model;
    private readonly IReadOnlyList<(int[] Ids, int Label)> _train;
    private readonly IReadOnlyList<(int[] Ids, int Label)> _valid;
    private readonly int[] _lengths;
    private readonly int _maxTokens;
    private readonly ulong _seed;

    /// <summary>A task over tokenized, labelled examples.</summary>
    public ClassificationTask(ISequenceClassifier model, IReadOnlyList<(int[] Ids, int Label)> train, IReadOnlyList<(int[] Ids, int Label)> valid, int maxTokens, ulong seed)
    {
        if (train.Count == 0)
            throw new ArgumentException("the training set is empty");
        (_model, _train, _valid, _maxTokens, _seed) = (model, train, valid, maxTokens, seed);
        _lengths = train.Select(e => e.Ids.Length).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<int[]> Batches(long epoch) => BatchPlan.ForEpoch(_lengths, _maxTokens, _seed, epoch);

    /// <inheritdoc/>
    public (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options) => Train(batch, adam, lr, options, null);

    /// <inheritdoc/>
    public (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options, DataParallel parallel) =>
        Train(batch, adam, lr, options, parallel);

    /// <inheritdoc/>
    public double ValidationLoss() => Validate(null);

    /// <inheritdoc/>
    public double ValidationLoss(DataParallel parallel) => Validate(parallel);

    private (float Loss, int Tokens) Train(int[] batch, Adam adam, float lr, StepOptions options, DataParallel? parallel)
    {
        (int start, int count) = parallel?.Shard(batch.Length) ?? (0, batch.Length);
        BatchShard? shard = parallel is null ? null : new BatchShard(parallel, start, batch.Length);
        if (count == 0)
            return (TrainingStep.EmptyShard(_model, adam, lr, options, shard!.Value), batch.Length);
        int[] mine = batch[start..(start + count)];
        SourceBatch b = SourceBatch.Pad(mine.Select(i => _train[i].Ids).ToList(), _model.Config.PadId, batch.Max(i => _train[i].Ids.Length));
        int[] labels = mine.Select(i => _train[i].Label).ToArray();
        return (TrainingStep.Classification(_model, b.Ids, b.Padding, labels, b.Batch, b.Length, adam, lr, options, shard), batch.Length);
    }

    private double Validate(DataParallel? parallel)
    {
        if (_valid.Count == 0)
            return double.NaN;
        using var noGrad = Autograd.NoGrad();
        double total = 0;
        int counted = 0;
        List<int[]> batches = BatchPlan.ForEpoch(_valid.Select(e => e.Ids.Length).ToArray(), _maxTokens, 0, 0);
        for (int k = 0; k < batches.Count; k++)
        {
            if (parallel is not null && !parallel.Owns(k))
                continue;
            int[] indices = batches[k];
            using Workspace.Scope scope = Workspace.Begin();
            SourceBatch b = SourceBatch.Pad(indices.Select(i => _valid[i].Ids).ToList(), _model.Config.PadId);
            Tensor loss = Ops.CrossEntropy(_model.Logits(b.Ids, b.Batch, b.Length, b.Padding), indices.Select(i => _valid[i].Label).ToArray());
            total += loss.Item() * (double)indices.Length;
            counted += indices.Length;
        }
        return parallel?.MeanOverRanks(total, counted) ?? total / _valid.Count;
    }
}
