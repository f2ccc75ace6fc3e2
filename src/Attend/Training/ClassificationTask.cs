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
    public (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options)
    {
        SourceBatch b = SourceBatch.Pad(batch.Select(i => _train[i].Ids).ToList(), _model.Config.PadId);
        int[] labels = batch.Select(i => _train[i].Label).ToArray();
        return (TrainingStep.Classification(_model, b.Ids, b.Padding, labels, b.Batch, b.Length, adam, lr, options), batch.Length);
    }

    /// <inheritdoc/>
    public double ValidationLoss()
    {
        if (_valid.Count == 0)
            return double.NaN;
        using var noGrad = Autograd.NoGrad();
        double total = 0;
        foreach (int[] indices in BatchPlan.ForEpoch(_valid.Select(e => e.Ids.Length).ToArray(), _maxTokens, 0, 0))
        {
            using Workspace.Scope scope = Workspace.Begin();
            SourceBatch b = SourceBatch.Pad(indices.Select(i => _valid[i].Ids).ToList(), _model.Config.PadId);
            Tensor loss = Ops.CrossEntropy(_model.Logits(b.Ids, b.Batch, b.Length, b.Padding), indices.Select(i => _valid[i].Label).ToArray());
            total += loss.Item() * (double)indices.Length;
        }
        return total / _valid.Count;
    }
}
