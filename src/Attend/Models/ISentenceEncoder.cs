using Attend.Tensors;

namespace Attend.Models;

/// <summary>An encoder that gives one vector per sentence (feature extraction): <see cref="EncoderClassifier"/>, <see cref="BertModel"/>.</summary>
public interface ISentenceEncoder : ITransformerModel
{
    /// <summary>Sentence embeddings [B, dModel] of right-padded ids [B, T]; padding [B * T] is true at padding.</summary>
    Tensor Embed(int[] ids, int batch, int length, bool[]? padding);
}
