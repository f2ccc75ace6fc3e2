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

/// <summary>One step of training: zero the gradients, forward, cross-entropy, backward, clip, Adam.</summary>
public static class TrainingStep
{
    /// <summary>Trains the encoder-decoder on one batch; returns the mean loss per target token (before the update).</summary>
    public static float Translation(Seq2SeqTransformer model, TranslationBatch batch, Adam adam, float lr, StepOptions options)
    {
        using Workspace.Scope scope = Workspace.Begin();
        model.Parameters.ZeroGrad();
        model.Dropout.Training = true;
        Tensor logits = model.Forward(batch.Source, batch.SourceLength, batch.SourcePadding,
            batch.TargetIn, batch.TargetLength, batch.TargetPadding, batch.Batch);                  // [B, T, V]
        Tensor loss = Ops.CrossEntropy(logits, batch.TargetOut, model.Config.PadId, options.LabelSmoothing);
        return Finish(model, loss, adam, lr, options);
    }

    /// <summary>Trains a language model on token blocks [B, T] predicting the next token at every position.</summary>
    public static float LanguageModel(DecoderOnlyTransformer model, int[] inputs, int[] targets, int batch, int length, Adam adam, float lr, StepOptions options)
    {
        using Workspace.Scope scope = Workspace.Begin();
        model.Parameters.ZeroGrad();
        model.Dropout.Training = true;
        Tensor logits = model.Forward(inputs, batch, length);                                        // [B, T, V]
        Tensor loss = Ops.CrossEntropy(logits, targets, -100, options.LabelSmoothing);
        return Finish(model, loss, adam, lr, options);
    }

    /// <summary>Trains a classifier on padded token ids [B, T] with one label per row.</summary>
    public static float Classification(ISequenceClassifier model, int[] ids, bool[] padding, int[] labels, int batch, int length, Adam adam, float lr, StepOptions options)
    {
        using Workspace.Scope scope = Workspace.Begin();
        model.Parameters.ZeroGrad();
        model.Dropout.Training = true;
        Tensor loss = Ops.CrossEntropy(model.Logits(ids, batch, length, padding), labels, -100, options.LabelSmoothing);
        return Finish(model, loss, adam, lr, options);
    }

    private static float Finish(ITransformerModel model, Tensor loss, Adam adam, float lr, StepOptions options)
    {
        float value = loss.Item();
        if (!float.IsFinite(value))
            throw new InvalidOperationException($"the loss became {value} at step {adam.StepCount + 1}; the weights were not updated");
        loss.Backward();
        GradientClipping.ClipByGlobalNorm(model.Parameters.Gradients, options.ClipNorm);
        adam.Step(lr);
        model.Dropout.Training = false;
        return value;
    }
}
