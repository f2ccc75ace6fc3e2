using Attend.Distributed;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>The settings of one optimisation step.</summary>
public sealed record StepOptions
{
    /// <summary>Label smoothing of the cross-entropy (0.1 for translation, as the paper).</summary>
    public float LabelSmoothing { get; init; } = 0.1f;

    /// <summary>Clip the gradients to this global norm; 0 turns clipping off.</summary>
    public float ClipNorm { get; init; } = 1f;
}

/// <summary>
/// Where a data-parallel rank's local batch sits in the step's global batch: its first sequence, and the global batch's
/// count of loss terms (target tokens, or examples), by which every rank divides its summed loss.
/// </summary>
public readonly record struct BatchShard(DataParallel Parallel, int FirstSequence, int GlobalCount);

/// <summary>
/// One step of training: zero the gradients, forward, cross-entropy, backward, clip, Adam. With a
/// <see cref="BatchShard"/> the step is one rank's share of a data-parallel step: its loss is divided by the global
/// count, the losses and gradients are summed across ranks, and the update is the one a single process would make.
/// </summary>
public static class TrainingStep
{
    /// <summary>Trains the encoder-decoder on one batch; returns the mean loss per target token (before the update).</summary>
    public static float Translation(Seq2SeqTransformer model, TranslationBatch batch, Adam adam, float lr, StepOptions options, BatchShard? shard = null)
    {
        using Workspace.Scope scope = Workspace.Begin();
        Begin(model, shard, batch.Batch);
        Tensor logits = model.Forward(batch.Source, batch.SourceLength, batch.SourcePadding,
            batch.TargetIn, batch.TargetLength, batch.TargetPadding, batch.Batch);                  // [B, T, V]
        Tensor loss = Ops.CrossEntropy(logits, batch.TargetOut, model.Config.PadId, options.LabelSmoothing, shard?.GlobalCount ?? 0);
        return Finish(model, loss, adam, lr, options, shard);
    }

    /// <summary>Trains a language model on token blocks [B, T] predicting the next token at every position.</summary>
    public static float LanguageModel(DecoderOnlyTransformer model, int[] inputs, int[] targets, int batch, int length, Adam adam, float lr, StepOptions options, BatchShard? shard = null)
    {
        using Workspace.Scope scope = Workspace.Begin();
        Begin(model, shard, batch);
        Tensor logits = model.Forward(inputs, batch, length);                                        // [B, T, V]
        Tensor loss = Ops.CrossEntropy(logits, targets, -100, options.LabelSmoothing, shard?.GlobalCount ?? 0);
        return Finish(model, loss, adam, lr, options, shard);
    }

    /// <summary>Trains a classifier on padded token ids [B, T] with one label per row.</summary>
    public static float Classification(ISequenceClassifier model, int[] ids, bool[] padding, int[] labels, int batch, int length, Adam adam, float lr, StepOptions options, BatchShard? shard = null)
    {
        using Workspace.Scope scope = Workspace.Begin();
        Begin(model, shard, batch);
        Tensor loss = Ops.CrossEntropy(model.Logits(ids, batch, length, padding), labels, -100, options.LabelSmoothing, shard?.GlobalCount ?? 0);
        return Finish(model, loss, adam, lr, options, shard);
    }

    /// <summary>Trains a Vision Transformer on images [B, C, H, W] (normalised pixels) with one label per image.</summary>
    public static float ImageClassification(VisionTransformer model, Tensor images, int[] labels, Adam adam, float lr, StepOptions options, BatchShard? shard = null)
    {
        using Workspace.Scope scope = Workspace.Begin();
        Begin(model, shard, labels.Length);
        Tensor loss = Ops.CrossEntropy(model.Forward(images), labels, -100, options.LabelSmoothing, shard?.GlobalCount ?? 0);
        return Finish(model, loss, adam, lr, options, shard);
    }

    /// <summary>A data-parallel step on a rank whose share of the global batch is empty: it contributes no loss and zero gradients, and takes the same update.</summary>
    public static float EmptyShard(ITransformerModel model, Adam adam, float lr, StepOptions options, BatchShard shard)
    {
        Begin(model, shard, 0);
        return Finish(model, null, adam, lr, options, shard);
    }

    private static void Begin(ITransformerModel model, BatchShard? shard, int sequences)
    {
        model.Parameters.ZeroGrad();
        model.Dropout.Masks.BeginStep(shard?.FirstSequence ?? 0, sequences);
        model.Dropout.Training = true;
    }

    private static float Finish(ITransformerModel model, Tensor? loss, Adam adam, float lr, StepOptions options, BatchShard? shard = null)
    {
        try
        {
            float local = loss?.Item() ?? 0f;
            float value = shard is { } s ? s.Parallel.SumLoss(local) : local;
            if (!float.IsFinite(value))
            {
                string message = $"the loss became {value} at step {adam.StepCount + 1}; the weights were not updated";
                throw shard is null ? new InvalidOperationException(message) : new AllRanksException(message);
            }
            if (shard is { } parallel)
                parallel.Parallel.Backward(loss);
            else
                loss!.Backward();
            GradientClipping.ClipByGlobalNorm(model.Parameters.Gradients, options.ClipNorm);
            adam.Step(lr);
            return value;
        }
        finally
        {
            model.Dropout.Training = false;
            model.Dropout.Masks.EndStep();
        }
    }
}
