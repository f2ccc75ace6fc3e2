using Attend.Models;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>Translation: sentence pairs batched by token count with length bucketing; the loss is per target token.</summary>
public sealed class TranslationTask : ITrainingTask
{
    private readonly Seq2SeqTransformer _model;
    private readonly IReadOnlyList<(int[] Source, int[] Target)> _train;
    private readonly IReadOnlyList<(int[] Source, int[] Target)> _valid;
    private readonly int[] _lengths;
    private readonly int _maxTokens;
    private readonly ulong _seed;

    /// <summary>A task over tokenized pairs (ids without bos and eos).</summary>
    public TranslationTask(Seq2SeqTransformer model, IReadOnlyList<(int[] Source, int[] Target)> train,
        IReadOnlyList<(int[] Source, int[] Target)> valid, int maxTokens, ulong seed)
    {
        if (train.Count == 0)
            throw new ArgumentException("the training set is empty");
        _model = model;
        _train = train;
        _valid = valid;
        _maxTokens = maxTokens;
        _seed = seed;
        _lengths = train.Select(p => Math.Max(p.Source.Length, p.Target.Length + 1)).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<int[]> Batches(long epoch) => BatchPlan.ForEpoch(_lengths, _maxTokens, _seed, epoch);

    /// <inheritdoc/>
    public (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options) => Train(batch, adam, lr, options, null);

    /// <inheritdoc/>
    public (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options, DataParallel parallel) =>
        Train(batch, adam, lr, options, parallel);

    /// <inheritdoc/>
    public double ValidationLoss() => _valid.Count == 0 ? double.NaN : Loss(_model, _valid, _maxTokens);

    /// <inheritdoc/>
    public double ValidationLoss(DataParallel parallel) => _valid.Count == 0 ? double.NaN : Loss(_model, _valid, _maxTokens, parallel);

    private (float Loss, int Tokens) Train(int[] batch, Adam adam, float lr, StepOptions options, DataParallel? parallel)
    {
        ModelConfig c = _model.Config;
        List<(int[] Source, int[] Target)> pairs = batch.Select(i => _train[i]).ToList();
        if (parallel is null)
        {
            TranslationBatch whole = TranslationBatch.Create(pairs, c.PadId, c.BosId, c.EosId);
            return (TrainingStep.Translation(_model, whole, adam, lr, options), whole.TargetTokens);
        }
        int tokens = pairs.Sum(p => p.Target.Length + 1);
        (int start, int count) = parallel.Shard(pairs.Count);
        var shard = new BatchShard(parallel, start, tokens);
        if (count == 0)
            return (TrainingStep.EmptyShard(_model, adam, lr, options, shard), tokens);
        TranslationBatch b = TranslationBatch.Create(pairs.GetRange(start, count), c.PadId, c.BosId, c.EosId,
            pairs.Max(p => p.Source.Length), pairs.Max(p => p.Target.Length) + 1);
        return (TrainingStep.Translation(_model, b, adam, lr, options, shard), tokens);
    }

    /// <summary>The mean cross-entropy per target token of <paramref name="pairs"/> (no smoothing); with <paramref name="parallel"/> each rank takes every N-th batch.</summary>
    public static double Loss(Seq2SeqTransformer model, IReadOnlyList<(int[] Source, int[] Target)> pairs, int maxTokens, DataParallel? parallel = null)
    {
        using var noGrad = Autograd.NoGrad();
        int[] lengths = pairs.Select(p => Math.Max(p.Source.Length, p.Target.Length + 1)).ToArray();
        double total = 0;
        long count = 0;
        List<int[]> batches = BatchPlan.ForEpoch(lengths, maxTokens, 0, 0);
        for (int k = 0; k < batches.Count; k++)
        {
            if (parallel is not null && !parallel.Owns(k))
                continue;
            int[] indices = batches[k];
            using Workspace.Scope scope = Workspace.Begin();
            var batch = TranslationBatch.Create(indices.Select(i => pairs[i]).ToList(), model.Config.PadId, model.Config.BosId, model.Config.EosId);
            Tensor logits = model.Forward(batch.Source, batch.SourceLength, batch.SourcePadding, batch.TargetIn, batch.TargetLength, batch.TargetPadding, batch.Batch);
            int n = batch.TargetTokens;
            total += Ops.CrossEntropy(logits, batch.TargetOut, model.Config.PadId).Item() * (double)n;
            count += n;
        }
        return parallel?.MeanOverRanks(total, count) ?? total / Math.Max(1, count);
    }
}
