using Attend.Data;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>
/// Image classification with a Vision Transformer: each epoch a seeded shuffle of the training images cut into batches
/// of a fixed size, pixels normalised by the training set's statistics, seeded augmentation drawn per optimisation step
/// (so a resumed run sees the same augmented images), and validation loss and accuracy without augmentation.
/// </summary>
public sealed class ImageClassificationTask : ITrainingTask
{
    private readonly VisionTransformer _model;
    private readonly ImageSet _train;
    private readonly ImageSet? _valid;
    private readonly float[] _table;
    private readonly int _batchSize;
    private readonly ImageAugmentation _augmentation;
    private readonly ulong _seed;

    /// <summary>A task over <paramref name="train"/> (and <paramref name="valid"/>, which may be null) for <paramref name="model"/>.</summary>
    public ImageClassificationTask(VisionTransformer model, ImageSet train, ImageSet? valid, ImageNormalization normalization, int batchSize,
        ImageAugmentation augmentation, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (train.Count == 0)
            throw new ArgumentException("the training set is empty");
        CheckFits(model, train, "training");
        if (valid is not null)
            CheckFits(model, valid, "validation");
        (_model, _train, _valid, _batchSize, _augmentation, _seed) = (model, train, valid, batchSize, augmentation, seed);
        _table = normalization.Table();
    }

    /// <summary>The accuracy of the last validation (NaN before one).</summary>
    public double ValidationAccuracy { get; private set; } = double.NaN;

    /// <inheritdoc/>
    public IReadOnlyList<int[]> Batches(long epoch)
    {
        int[] order = Enumerable.Range(0, _train.Count).ToArray();
        new Rng(_seed * 0x9E3779B97F4A7C15UL + (ulong)epoch).Shuffle(order.AsSpan());
        return order.Chunk(_batchSize).ToList();
    }

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
        using Workspace.Scope scope = Workspace.Begin();
        int[] mine = batch[start..(start + count)];
        Tensor images = Images(_train, mine, _augmentation, adam.StepCount, start);                 // [B, C, H, W]
        float loss = TrainingStep.ImageClassification(_model, images, mine.Select(i => _train.Labels[i]).ToArray(), adam, lr, options, shard);
        return (loss, batch.Length);
    }

    private double Validate(DataParallel? parallel)
    {
        if (_valid is null || _valid.Count == 0)
            return double.NaN;
        using var noGrad = Autograd.NoGrad();
        Span<double> sums = [0, 0];   // loss x images, right answers
        int[][] chunks = Enumerable.Range(0, _valid.Count).Chunk(256).ToArray();
        for (int k = 0; k < chunks.Length; k++)
        {
            if (parallel is not null && !parallel.Owns(k))
                continue;
            int[] indices = chunks[k];
            using Workspace.Scope scope = Workspace.Begin();
            Tensor logits = _model.Forward(Images(_valid, indices, ImageAugmentation.None, 0, 0));
            int[] labels = indices.Select(i => _valid.Labels[i]).ToArray();
            sums[0] += Ops.CrossEntropy(logits, labels).Item() * (double)indices.Length;
            int classes = logits.Shape[1];
            for (int b = 0; b < indices.Length; b++)
                sums[1] += Decoding.Greedy.ArgMax(logits.ReadOnlyData.Slice(b * classes, classes)) == labels[b] ? 1 : 0;
        }
        parallel?.SumOverRanks(sums, "allreduce of the validation loss and accuracy");
        ValidationAccuracy = sums[1] / _valid.Count;
        return sums[0] / _valid.Count;
    }

    /// <summary>
    /// The images at <paramref name="indices"/> of <paramref name="set"/>, augmented and normalised, as a tensor
    /// [B, C, H, W] of the current workspace scope. The augmentation of an image depends on the seed, the optimizer
    /// step and the image's place in the step's global batch (<paramref name="first"/> + its index) only: a resumed
    /// run, and data-parallel ranks that each take part of the batch, draw what one uninterrupted process draws.
    /// </summary>
    public Tensor Images(ImageSet set, IReadOnlyList<int> indices, ImageAugmentation augmentation, long step, int first)
    {
        int size = set.ImageSize;
        Tensor images = Tensor.Create(new Shape(indices.Count, set.Channels, set.Height, set.Width), Workspace.Rent(indices.Count * size, clear: false), 0);
        Span<float> pixels = images.Data;
        Rng? rng = augmentation.IsActive ? new Rng(0) : null;
        ulong stepSeed = (_seed ^ 0xA46E11A7105EEDUL) * 0xBF58476D1CE4E5B9UL + (ulong)step;
        for (int b = 0; b < indices.Count; b++)
        {
            rng?.Reset(stepSeed * 0x9E3779B97F4A7C15UL + (ulong)(first + b));
            augmentation.Apply(set.Image(indices[b]), set.Channels, set.Height, set.Width, _table, rng, pixels.Slice(b * size, size));
        }
        return images;
    }

    private static void CheckFits(VisionTransformer model, ImageSet set, string what)
    {
        if (set.Channels != model.Config.NumChannels || set.Height != model.ImageHeight || set.Width != model.ImageWidth)
            throw new ArgumentException($"the {what} images are {set.Channels} x {set.Height} x {set.Width}; the model takes {model.Config.NumChannels} x {model.ImageHeight} x {model.ImageWidth}");
    }
}
