using Attend.Tensors;

namespace Attend.Models;

/// <summary>A model that maps sentences to fixed-size embeddings (feature extraction), whatever its family.</summary>
public interface ISentenceEncoder : ITransformerModel
{
    /// <summary>Sentence embeddings [B, dModel] for token ids [B, T] with their padding mask [B * T] (true = padding).</summary>
    Tensor Embed(int[] ids, int batch, int length, bool[]? padding);
}
