using Attend.Inference;
using Attend.Models;
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
        IReadOnlyList<AttentionView> views = AttentionViews.Compute(model, tokenizer, ids).Views;
        string wanted = model is Seq2SeqTransformer ? kind == "self" ? "encoder" : "cross" : "self";
        AttentionView view = views.First(v => v.Kind == wanted);
        int used = Pick(layer, view.Weights.Length);
        float[][] heads = view.Weights[used];
        if (head is int h && (h < 0 || h >= heads.Length))
            throw new ArgumentException($"head {h} does not exist (the model has {heads.Length} heads)");
        int r = view.Rows.Count, c = view.Columns.Count;
        float[] w = new float[r * c];
        for (int hh = 0; hh < heads.Length; hh++)
        {
            if (head is int only && only != hh)
                continue;
            for (int i = 0; i < r * c; i++)
                w[i] += heads[hh][i] / (head is null ? heads.Length : 1);
        }
        string which = head is int one ? $"head {one}" : "average of the heads";
        return new AttentionMap(w, r, c, [.. view.Rows], [.. view.Columns],
            $"{(wanted == "cross" ? "cross" : "self")}-attention, layer {used}, {which}");
    }

    private static int Pick(int? layer, int count)
    {
        int l = layer ?? count - 1;
        if (l < 0 || l >= count)
            throw new ArgumentException($"layer {l} does not exist (the stack has {count} layers)");
        return l;
    }
}
