using Attend.Decoding;
using Attend.Layers;
using Attend.Models;
using Attend.Tensors;
using Attend.Tokenization;

namespace Attend.Cli.Inference;

/// <summary>The attention weights of one layer for one input, averaged over the heads or of one head, with token labels.</summary>
internal sealed record AttentionMap(float[] Weights, int Rows, int Cols, List<string> RowLabels, List<string> ColLabels, string Title)
{
    /// <summary>
    /// Seq2seq: translate <paramref name="text"/> greedily, then read the decoder's cross-attention (rows: decoder inputs, columns:
    /// source tokens) or the encoder's self-attention ("self"). Decoder-only: the self-attention over the text.
    /// </summary>
    public static AttentionMap Compute(ITransformerModel model, Tokenizer tokenizer, string text, string kind, int? layer, int? head)
    {
        int[] ids = tokenizer.EncodeToIds(text);
        if (ids.Length == 0)
            throw new ArgumentException("the text encodes to no tokens");
        if (ids.Length > model.Config.MaxLen)
            throw new ArgumentException($"the text has {ids.Length} tokens, more than the model's max_len {model.Config.MaxLen}");
        using var noGrad = Autograd.NoGrad();
        model.Dropout.Training = false;
        MultiHeadAttention attention;
        int used;
        List<string> rows, cols;
        switch (model)
        {
            case Seq2SeqTransformer s2s:
            {
                int[] output = Greedy.Translate(s2s, [ids], model.Config.MaxLen - 1)[0];
                int[] decoderIn = [s2s.Config.BosId, .. output];
                used = Pick(layer, kind == "self" ? s2s.Encoder.Length : s2s.Decoder.Length);
                attention = kind == "self" ? s2s.Encoder[used].SelfAttention : s2s.Decoder[used].CrossAttention;
                attention.CaptureWeights = true;
                Tensor memory = s2s.Encode(ids, 1, ids.Length, null);
                s2s.Decode(decoderIn, 1, decoderIn.Length, memory, null, null);
                cols = Labels(tokenizer, ids);
                rows = kind == "self" ? cols : Labels(tokenizer, decoderIn);
                break;
            }
            case DecoderOnlyTransformer lm:
                used = Pick(layer, lm.Blocks.Length);
                attention = lm.Blocks[used].Attention;
                attention.CaptureWeights = true;
                lm.Forward(ids, 1, ids.Length);
                rows = cols = Labels(tokenizer, ids);
                break;
            case EncoderClassifier enc:
                used = Pick(layer, enc.Encoder.Length);
                attention = enc.Encoder[used].SelfAttention;
                attention.CaptureWeights = true;
                enc.Embed(ids, 1, ids.Length, null);
                rows = cols = Labels(tokenizer, ids);
                break;
            default:
                throw new ArgumentException("unknown model family");
        }
        float[] all = attention.LastWeights!;
        attention.CaptureWeights = false;
        int heads = attention.Heads, r = rows.Count, c = cols.Count;
        if (head is int h && (h < 0 || h >= heads))
            throw new ArgumentException($"head {h} does not exist (the model has {heads} heads)");
        float[] w = new float[r * c];
        for (int hh = 0; hh < heads; hh++)
        {
            if (head is int only && only != hh)
                continue;
            for (int i = 0; i < r * c; i++)
                w[i] += all[hh * r * c + i] / (head is null ? heads : 1);
        }
        string which = head is int one ? $"head {one}" : "average of the heads";
        return new AttentionMap(w, r, c, rows, cols, $"{(kind == "self" ? "self" : model is Seq2SeqTransformer ? "cross" : "self")}-attention, layer {used}, {which}");
    }

    private static int Pick(int? layer, int count)
    {
        int l = layer ?? count - 1;
        if (l < 0 || l >= count)
            throw new ArgumentException($"layer {l} does not exist (the stack has {count} layers)");
        return l;
    }

    private static List<string> Labels(Tokenizer tokenizer, int[] ids) =>
        ids.Select(id => tokenizer.IdToToken(id) is { } t && t.StartsWith('<') && t.EndsWith('>') ? t : tokenizer.Decode([id])).ToList();
}
