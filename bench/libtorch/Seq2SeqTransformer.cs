using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LibTorchBench;

/// <summary>
/// The PyTorch translation tutorial's Seq2SeqTransformer (as in bench/pytorch/train_bench.py): token embeddings scaled by
/// sqrt(d), sinusoidal positions with dropout, nn.Transformer's encoder and decoder (post-norm, ReLU, each stack
/// followed by a LayerNorm as nn.Transformer has it) and the generator. TorchSharp's nn.Transformer has no
/// batch_first, so tensors are sequence-first, [T, B, d], as the tutorial itself was first written (PyTorch's
/// batch_first multi-head attention transposes to that layout inside).
/// </summary>
internal sealed class Seq2SeqTransformer : nn.Module
{
    private readonly TransformerEncoder encoder;
    private readonly LayerNorm encoder_norm;
    private readonly TransformerDecoder decoder;
    private readonly LayerNorm decoder_norm;
    private readonly Linear generator;
    private readonly Embedding src_tok_emb;
    private readonly Embedding tgt_tok_emb;
    private readonly Dropout pos_dropout;
    private readonly Tensor pe;   // [maxlen, 1, d]

    public Seq2SeqTransformer(int layers, int d, int heads, int vocab, int ff, double dropout = 0.1, int maxLen = 5000)
        : base(nameof(Seq2SeqTransformer))
    {
        D = d;
        Heads = heads;
        Layers = layers;
        encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, heads, ff, dropout), layers);
        encoder_norm = nn.LayerNorm(d);
        decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(d, heads, ff, dropout), layers);
        decoder_norm = nn.LayerNorm(d);
        generator = nn.Linear(d, vocab);
        src_tok_emb = nn.Embedding(vocab, d);
        tgt_tok_emb = nn.Embedding(vocab, d);
        pos_dropout = nn.Dropout(dropout);
        Tensor den = exp(-arange(0, d, 2, dtype: ScalarType.Float32) * Math.Log(10000) / d);
        Tensor pos = arange(0, maxLen, dtype: ScalarType.Float32).reshape(maxLen, 1);
        Tensor table = zeros(maxLen, d);
        table[TensorIndex.Colon, TensorIndex.Slice(0, null, 2)] = sin(pos * den);
        table[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)] = cos(pos * den);
        pe = table.unsqueeze(1);
        register_buffer("pe", pe);
        RegisterComponents();
    }

    public int D { get; }
    public int Heads { get; }
    public int Layers { get; }

    /// <summary>Token ids [T, B] to embeddings with positions [T, B, d] (positions start at <paramref name="start"/>).</summary>
    public Tensor Embed(Embedding table, Tensor tokens, long start = 0) =>
        pos_dropout.forward(table.forward(tokens) * Math.Sqrt(D) + pe[TensorIndex.Slice(start, start + tokens.shape[0])]);

    /// <summary>src [S, B], tgt [T, B] to logits [T, B, V].</summary>
    public Tensor Forward(Tensor src, Tensor tgt, Tensor srcMask, Tensor tgtMask, Tensor srcPadding, Tensor tgtPadding, Tensor memoryPadding)
    {
        Tensor memory = Encode(src, srcMask, srcPadding);
        Tensor outs = decoder_norm.forward(decoder.forward(Embed(tgt_tok_emb, tgt), memory, tgtMask, null, tgtPadding, memoryPadding));
        return generator.forward(outs);
    }

    /// <summary>The encoder's memory [S, B, d].</summary>
    public Tensor Encode(Tensor src, Tensor srcMask, Tensor? srcPadding = null) =>
        encoder_norm.forward(encoder.forward(Embed(src_tok_emb, src), srcMask, srcPadding));

    /// <summary>The tutorial's decode: the decoder over the whole prefix tgt [T, B], [T, B, d].</summary>
    public Tensor Decode(Tensor tgt, Tensor memory, Tensor tgtMask) =>
        decoder_norm.forward(decoder.forward(Embed(tgt_tok_emb, tgt), memory, tgtMask, null, null, null));

    public Embedding TargetEmbedding => tgt_tok_emb;
    public Linear Generator => generator;
    public LayerNorm DecoderNorm => decoder_norm;

    /// <summary>The decoder's parameters by name ("layers.0.self_attn.in_proj_weight", ...), for the cached decoder.</summary>
    public Dictionary<string, Tensor> DecoderParameters() =>
        decoder.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    /// <summary>The tutorial's causal mask: 0 on and below the diagonal, -inf above, [n, n].</summary>
    public static Tensor SquareSubsequentMask(long n) => triu(full(n, n, float.NegativeInfinity), 1);
}
