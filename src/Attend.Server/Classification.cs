using Attend.Decoding;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Server;

/// <summary>A batch of texts through an encoder classifier: the class probabilities of each, softmax(classifier(mean pooled encoding)).</summary>
internal static class Classification
{
    public static float[][] Run(EncoderClassifier model, IReadOnlyList<int[]> texts, object modelLock)
    {
        lock (modelLock)
        {
            bool training = model.Dropout.Training;
            model.Dropout.Training = false;
            try
            {
                using var noGrad = Autograd.NoGrad();
                using Workspace.Scope scope = Workspace.Begin();
                SourceBatch batch = SourceBatch.Pad(texts, model.Config.PadId);
                Tensor p = Ops.Softmax(model.Forward(batch.Ids, batch.Batch, batch.Length, batch.Padding));   // [B, classes]
                int c = p.Shape.Last;
                return Enumerable.Range(0, texts.Count).Select(i => p.Data.Slice(i * c, c).ToArray()).ToArray();
            }
            finally
            {
                model.Dropout.Training = training;
            }
        }
    }
}
