using Attend.Decoding;
using Attend.Layers;
using Attend.Models;
using Attend.Tensors;
using Attend.Tokenization;

namespace Attend.Inference;

/// <summary>
/// The attention weights of every layer and head of one attention kind for one input: <see cref="Weights"/>[layer][head]
/// is a row-major [rows, columns] matrix whose row i holds how query token i spreads its attention over the column tokens.
/// </summary>
public sealed record AttentionView(string Kind, IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, float[][][] Weights);

/// <summary>Reads the attention weights a model computes for one text, for plotting.</summary>
public static class AttentionViews
{
    /// <summary>
    /// Encoder-decoder: translates <paramref name="source"/> greedily (the output is returned), then reads the
    /// cross-attention of every decoder layer (rows: decoder inputs, bos and the output tokens; columns: source tokens),
    /// the encoder's self-attention and the decoder's. Encoder and decoder-only models: the self-attention over the text
    /// (causal for the decoder), and no output. The caller must not run the model on another thread meanwhile.
    /// </summary>
    public static (int[] Output, IReadOnlyList<AttentionView> Views) Compute(ITransformerModel model, Tokenizer tokenizer, int[] source)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (source.Length == 0 || source.Length > model.Config.MaxLen)
            throw new ArgumentException($"the text must have 1 to {model.Config.MaxLen} tokens, not {source.Length}");
        bool training = model.Dropout.Training;
        model.Dropout.Training = false;
        try
        {
            using var noGrad = Autograd.NoGrad();
            List<string> sourceLabels = Labels(tokenizer, source);
            switch (model)
            {
                case Seq2SeqTransformer s2s:
                {
                    int[] output = Greedy.Translate(s2s, [source], s2s.Config.MaxLen - 1)[0];
                    int[] decoderIn = [s2s.Config.BosId, .. output];
                    List<string> targetLabels = Labels(tokenizer, decoderIn);
                    MultiHeadAttention[] cross = s2s.Decoder.Select(l => l.CrossAttention).ToArray();
                    MultiHeadAttention[] encoder = s2s.Encoder.Select(l => l.SelfAttention).ToArray();
                    MultiHeadAttention[] decoder = s2s.Decoder.Select(l => l.SelfAttention).ToArray();
                    float[][][][] weights = Capture([cross, encoder, decoder], () =>
                    {
                        Tensor memory = s2s.Encode(source, 1, source.Length, null);
                        s2s.Decode(decoderIn, 1, decoderIn.Length, memory, null, null);
                    }, [(decoderIn.Length, source.Length), (source.Length, source.Length), (decoderIn.Length, decoderIn.Length)]);
                    return (output, [
                        new AttentionView("cross", targetLabels, sourceLabels, weights[0]),
                        new AttentionView("encoder", sourceLabels, sourceLabels, weights[1]),
                        new AttentionView("decoder", targetLabels, targetLabels, weights[2]),
                    ]);
                }
                case DecoderOnlyTransformer lm:
                {
                    float[][][][] weights = Capture([lm.Blocks.Select(b => b.Attention).ToArray()], () => lm.Forward(source, 1, source.Length),
                        [(source.Length, source.Length)]);
                    return ([], [new AttentionView("self", sourceLabels, sourceLabels, weights[0])]);
                }
                case EncoderClassifier encoder:
                {
                    float[][][][] weights = Capture([encoder.Encoder.Select(l => l.SelfAttention).ToArray()], () => encoder.Embed(source, 1, source.Length, null),
                        [(source.Length, source.Length)]);
                    return ([], [new AttentionView("self", sourceLabels, sourceLabels, weights[0])]);
                }
                default:
                    throw new ArgumentException($"attention views do not know the model type {model.GetType().Name}");
            }
        }
        finally
        {
            model.Dropout.Training = training;
        }
    }

    /// <summary>A label per token: special tokens as they are named, others as the text they decode to.</summary>
    public static List<string> Labels(Tokenizer tokenizer, IEnumerable<int> ids) =>
        ids.Select(id => tokenizer.IdToToken(id) is { } t && t.StartsWith('<') && t.EndsWith('>') ? t : tokenizer.Decode([id])).ToList();

    // Runs the pass with capture on, then splits each layer's [1, H, rows, columns] weights by head.
    private static float[][][][] Capture(MultiHeadAttention[][] kinds, Action pass, (int Rows, int Columns)[] sizes)
    {
        foreach (MultiHeadAttention a in kinds.SelectMany(k => k))
            a.CaptureWeights = true;
        try
        {
            using (Workspace.Begin())
                pass();
        }
        finally
        {
            foreach (MultiHeadAttention a in kinds.SelectMany(k => k))
                a.CaptureWeights = false;
        }
        return kinds.Select((layers, k) => layers.Select(a =>
        {
            int size = sizes[k].Rows * sizes[k].Columns;
            return Enumerable.Range(0, a.Heads).Select(h => a.LastWeights!.AsSpan(h * size, size).ToArray()).ToArray();
        }).ToArray()).ToArray();
    }
}
