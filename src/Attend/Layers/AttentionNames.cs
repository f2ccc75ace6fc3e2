namespace Attend.Layers;

/// <summary>
/// The parameter names of a multi-head attention block: one packed input projection (PyTorch's in_proj_weight,
/// nanoGPT's c_attn) or separate query, key and value projections (Hugging Face's BERT), and the output projection.
/// </summary>
/// <param name="InWeights">One name of a [3 dModel, dModel] weight, or three names of [dModel, dModel] weights (Q, K, V).</param>
/// <param name="InBiases">The biases, laid out as the weights.</param>
/// <param name="Out">The output projection's prefix ("{Out}.weight", "{Out}.bias").</param>
public sealed record AttentionNames(IReadOnlyList<string> InWeights, IReadOnlyList<string> InBiases, string Out)
{
    /// <summary>One packed projection: W_in [3 dModel, dModel] named <paramref name="inWeight"/>, b_in named <paramref name="inBias"/>.</summary>
    public static AttentionNames Packed(string inWeight, string inBias, string outName) => new([inWeight], [inBias], outName);

    /// <summary>Three projections "{query}.weight" [dModel, dModel], "{query}.bias", and the same for key and value.</summary>
    public static AttentionNames Separate(string query, string key, string value, string outName) =>
        new([$"{query}.weight", $"{key}.weight", $"{value}.weight"], [$"{query}.bias", $"{key}.bias", $"{value}.bias"], outName);
}
