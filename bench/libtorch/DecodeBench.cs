using TorchSharp;
using static TorchSharp.torch;

namespace LibTorchBench;

/// <summary>
/// Greedy decoding of s2s-small, untrained, dropout off: 256 random source sentences of 32 tokens in batches of 64,
/// exactly 32 new tokens each (eos is ignored), as train_bench.py's decode. Two decoders over the same model:
/// the tutorial's greedy_decode (the decoder re-runs over the whole prefix at every step), and an incremental decoder
/// with a key/value cache, as Hugging Face's generate runs one: each step feeds only the newest token, appends its
/// self-attention keys and values to the cache, and reads the encoder memory's cross-attention keys and values,
/// computed once per batch.
/// </summary>
internal static class DecodeBench
{
    private const int Sentences = 256, Batch = 64, NewTokens = 32;

    public static BenchResult Run(BenchOptions options)
    {
        const string config = "s2s-small";
        var (d, heads, ff, layers, _) = TranslationBench.Shape(config);
        var model = TranslationBench.CreateModel(config);
        model.eval();
        var gen = new Generator(4321);
        Tensor sources = randint(3, TranslationBench.Vocab, [Sentences, TranslationBench.SourceLength], generator: gen);
        var cached = new CachedDecoder(model);
        Func<Tensor, Tensor> decode = options.KvCache ? cached.Decode : src => TutorialDecode(model, src);

        double RunAll()
        {
            using var noGrad = no_grad();
            for (int s = 0; s < Sentences; s += Batch)
                decode(sources[TensorIndex.Slice(s, s + Batch)]);
            return 0;
        }

        var extra = new List<(string, object)> { ("kv_cache", options.KvCache) };
        if (options.Verify)
        {
            // the two decoders must pick the same tokens: the cached one is the same model, computed incrementally
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            Tensor first = sources[TensorIndex.Slice(0, Batch)];
            double agree = cached.Decode(first).eq(TutorialDecode(model, first)).to_type(ScalarType.Float32).mean().item<float>();
            extra.Add(("cached_equals_tutorial", Math.Round(agree, 4)));
        }
        var (times, _) = BenchResult.Time(RunAll, options.Warmup, options.Steps);
        double flops = ModelFlops.GreedyDecode(d, ff, layers, TranslationBench.Vocab, Sentences, TranslationBench.SourceLength, NewTokens);
        return new BenchResult(times, 0, Sentences * NewTokens, flops, BenchResult.CountParameters(model.parameters()), extra);
    }

    /// <summary>The tutorial's greedy_decode, batched: src [B, S] to the new tokens [B, new].</summary>
    private static Tensor TutorialDecode(Seq2SeqTransformer model, Tensor src)
    {
        long s = src.shape[1];
        Tensor memory = model.Encode(src.t(), zeros(s, s));                            // [S, B, d]
        Tensor ys = full(1, src.shape[0], TranslationBench.Bos, ScalarType.Int64);        // [t, B]
        for (int i = 0; i < NewTokens; i++)
        {
            // the tutorial passes this mask as bool; LibTorch's C++ multi-head attention adds a bool mask (true as +1)
            // instead of masking with it, so the same mask goes in as float, 0 and -inf
            Tensor tgtMask = Seq2SeqTransformer.SquareSubsequentMask(ys.shape[0]);
            Tensor outs = model.Decode(ys, memory, tgtMask);                               // [t, B, d]
            Tensor prob = model.Generator.forward(outs[-1]);                               // [B, V]
            ys = cat([ys, prob.argmax(1).unsqueeze(0)], 0);
        }
        return ys[TensorIndex.Slice(1, null)].t();
    }

    /// <summary>Incremental decoding with a key/value cache over the weights of the model's nn.TransformerDecoder.</summary>
    private sealed class CachedDecoder
    {
        private readonly Seq2SeqTransformer _model;
        private readonly Dictionary<string, Tensor> _p;
        private readonly int _d, _heads, _layers;

        public CachedDecoder(Seq2SeqTransformer model)
        {
            _model = model;
            _p = model.DecoderParameters();
            (_d, _heads, _layers) = (model.D, model.Heads, model.Layers);
        }

        /// <summary>src [B, S] to the new tokens [B, new].</summary>
        public Tensor Decode(Tensor src)
        {
            long b = src.shape[0], s = src.shape[1];
            Tensor memory = _model.Encode(src.t(), zeros(s, s)).transpose(0, 1);   // [B, S, d]
            var crossK = new Tensor[_layers];
            var crossV = new Tensor[_layers];
            var selfK = new Tensor[_layers];
            var selfV = new Tensor[_layers];
            for (int l = 0; l < _layers; l++)
            {
                // rows d..2d of in_proj are K's, 2d..3d V's
                Tensor w = _p[$"layers.{l}.multihead_attn.in_proj_weight"], bias = _p[$"layers.{l}.multihead_attn.in_proj_bias"];
                Tensor kv = nn.functional.linear(memory, w[TensorIndex.Slice(_d, null)], bias[TensorIndex.Slice(_d, null)]);
                Tensor[] parts = kv.split(_d, 2);
                crossK[l] = Heads(parts[0]);
                crossV[l] = Heads(parts[1]);
                selfK[l] = empty(b, _heads, NewTokens, _d / _heads);
                selfV[l] = empty(b, _heads, NewTokens, _d / _heads);
            }
            Tensor token = full(b, TranslationBench.Bos, ScalarType.Int64);
            var output = new Tensor[NewTokens];
            for (int t = 0; t < NewTokens; t++)
            {
                Tensor x = _model.Embed(_model.TargetEmbedding, token.unsqueeze(0), t).transpose(0, 1);   // [B, 1, d]
                for (int l = 0; l < _layers; l++)
                    x = Layer(x, l, t, selfK[l], selfV[l], crossK[l], crossV[l]);
                Tensor logits = _model.Generator.forward(_model.DecoderNorm.forward(x)[TensorIndex.Colon, 0]);   // [B, V]
                token = logits.argmax(1);
                output[t] = token;
            }
            return stack(output, 1);
        }

        // One post-norm decoder layer (nn.TransformerDecoderLayer) for the newest position t: x [B, 1, d].
        private Tensor Layer(Tensor x, int l, int t, Tensor selfK, Tensor selfV, Tensor crossK, Tensor crossV)
        {
            string n = $"layers.{l}.";
            Tensor[] qkv = nn.functional.linear(x, _p[n + "self_attn.in_proj_weight"], _p[n + "self_attn.in_proj_bias"]).split(_d, 2);
            selfK[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(t, t + 1)] = Heads(qkv[1]);
            selfV[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(t, t + 1)] = Heads(qkv[2]);
            Tensor a = nn.functional.scaled_dot_product_attention(Heads(qkv[0]),
                selfK[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, t + 1)],
                selfV[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, t + 1)]);
            x = Norm(x + nn.functional.linear(Merge(a), _p[n + "self_attn.out_proj.weight"], _p[n + "self_attn.out_proj.bias"]), n + "norm1");

            Tensor wq = _p[n + "multihead_attn.in_proj_weight"][TensorIndex.Slice(0, _d)];
            Tensor bq = _p[n + "multihead_attn.in_proj_bias"][TensorIndex.Slice(0, _d)];
            Tensor c = nn.functional.scaled_dot_product_attention(Heads(nn.functional.linear(x, wq, bq)), crossK, crossV);
            x = Norm(x + nn.functional.linear(Merge(c), _p[n + "multihead_attn.out_proj.weight"], _p[n + "multihead_attn.out_proj.bias"]), n + "norm2");

            Tensor h = nn.functional.relu(nn.functional.linear(x, _p[n + "linear1.weight"], _p[n + "linear1.bias"]));
            return Norm(x + nn.functional.linear(h, _p[n + "linear2.weight"], _p[n + "linear2.bias"]), n + "norm3");
        }

        private Tensor Norm(Tensor x, string name) =>
            nn.functional.layer_norm(x, [_d], _p[name + ".weight"], _p[name + ".bias"], 1e-5);

        // [B, T, d] to [B, H, T, dk] and back
        private Tensor Heads(Tensor x) => x.view(x.shape[0], x.shape[1], _heads, _d / _heads).transpose(1, 2);

        private Tensor Merge(Tensor x) => x.transpose(1, 2).reshape(x.shape[0], x.shape[2], _d);
    }
}
