using Attend.Models;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>
/// Language modelling on a token stream, as nanoGPT: each batch is B blocks of T tokens starting at random offsets,
/// each position predicting the next token. An epoch is as many batches as the stream holds B x T tokens; the
/// offsets are drawn from the seed and the epoch, so a resumed run sees the same batches.
/// </summary>
public sealed class LanguageModelTask : ITrainingTask
{
    private readonly DecoderOnlyTransformer _model;
    private readonly int[] _train;
    private readonly int[] _valid;
    private readonly int _batch;
    private readonly int _block;
    private readonly ulong _seed;

    /// <summary>A task over token streams; blocks of <paramref name="block"/> tokens, <paramref name="batch"/> per step.</summary>
    public LanguageModelTask(DecoderOnlyTransformer model, int[] train, int[] valid, int batch, int block, ulong seed)
    {
        if (train.Length <= block)
            throw new ArgumentException($"the training text has {train.Length} tokens, fewer than one block of {block} + 1");
        if (block > model.Config.MaxLen)
            throw new ArgumentException($"the block of {block} tokens is longer than the model's max_len {model.Config.MaxLen}");
        (_model, _train, _valid, _batch, _block, _seed) = (model, train, valid, batch, block, seed);
    }

    /// <inheritdoc/>
    public IReadOnlyList<int[]> Batches(long epoch)
    {
        var rng = new Rng(_seed * 0x9E3779B97F4A7C15UL + (ulong)epoch);
        int count = Math.Max(1, _train.Length / (_batch * _block));
        var batches = new List<int[]>(count);
        for (int i = 0; i < count; i++)
            batches.Add(Enumerable.Range(0, _batch).Select(_ => rng.NextInt(_train.Length - _block)).ToArray());
        return batches;
    }

    /// <inheritdoc/>
    public (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options) => Train(batch, adam, lr, options, null);

    /// <inheritdoc/>
    public (float Loss, int Tokens) Step(int[] batch, Adam adam, float lr, StepOptions options, DataParallel parallel) =>
        Train(batch, adam, lr, options, parallel);

    /// <inheritdoc/>
    public double ValidationLoss() => _valid.Length <= _block ? double.NaN : Loss(_model, _valid, _batch, _block, maxBlocks: 200);

    /// <inheritdoc/>
    public double ValidationLoss(DataParallel parallel) =>
        _valid.Length <= _block ? double.NaN : Loss(_model, _valid, _batch, _block, maxBlocks: 200, parallel);

    private (float Loss, int Tokens) Train(int[] batch, Adam adam, float lr, StepOptions options, DataParallel? parallel)
    {
        int tokens = batch.Length * _block;
        if (parallel is null)
        {
            (int[] x, int[] y) = Blocks(_train, batch);
            return (TrainingStep.LanguageModel(_model, x, y, batch.Length, _block, adam, lr, options), tokens);
        }
        (int start, int count) = parallel.Shard(batch.Length);
        var shard = new BatchShard(parallel, start, tokens);
        if (count == 0)
            return (TrainingStep.EmptyShard(_model, adam, lr, options, shard), tokens);
        (int[] xs, int[] ys) = Blocks(_train, batch[start..(start + count)]);
        return (TrainingStep.LanguageModel(_model, xs, ys, count, _block, adam, lr, options, shard), tokens);
    }

    /// <summary>
    /// The mean cross-entropy per token over consecutive non-overlapping blocks of <paramref name="tokens"/> (at most
    /// <paramref name="maxBlocks"/>); with <paramref name="parallel"/> each rank takes every N-th batch of blocks.
    /// </summary>
    public static double Loss(DecoderOnlyTransformer model, int[] tokens, int batch, int block, int maxBlocks, DataParallel? parallel = null)
    {
        using var noGrad = Autograd.NoGrad();
        int blocks = Math.Min(maxBlocks, (tokens.Length - 1) / block);
        double total = 0;
        int counted = 0;
        for (int start = 0; start < blocks; start += batch)
        {
            if (parallel is not null && !parallel.Owns(start / batch))
                continue;
            using Workspace.Scope scope = Workspace.Begin();
            int[] offsets = Enumerable.Range(start, Math.Min(batch, blocks - start)).Select(i => i * block).ToArray();
            (int[] x, int[] y) = Blocks(tokens, offsets, block);
            total += Ops.CrossEntropy(model.Forward(x, offsets.Length, block), y).Item() * (double)offsets.Length;
            counted += offsets.Length;
        }
        return parallel?.MeanOverRanks(total, counted) ?? total / Math.Max(1, blocks);
    }

    private (int[] X, int[] Y) Blocks(int[] tokens, int[] offsets) => Blocks(tokens, offsets, _block);

    private static (int[] X, int[] Y) Blocks(int[] tokens, int[] offsets, int block)
    {
        int[] x = new int[offsets.Length * block], y = new int[offsets.Length * block];
        for (int b = 0; b < offsets.Length; b++)
        {
            tokens.AsSpan(offsets[b], block).CopyTo(x.AsSpan(b * block));
            tokens.AsSpan(offsets[b] + 1, block).CopyTo(y.AsSpan(b * block));
        }
        return (x, y);
    }
}
