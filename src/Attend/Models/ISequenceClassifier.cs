using Attend.Tensors;

namespace Attend.Models;

/// <summary>A model that gives class logits per sequence: <see cref="EncoderClassifier"/>, <see cref="BertModel"/> with a head.</summary>
public interface ISequenceClassifier : ITransformerModel
{
    /// <summary>The number of classes.</summary>
    int Classes { get; }

    /// <summary>Class logits [B, classes] of right-padded ids [B, T]; padding [B * T] is true at padding.</summary>
    Tensor Logits(int[] ids, int batch, int length, bool[]? padding);
}
