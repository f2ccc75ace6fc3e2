using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LibTorchBench;

/// <summary>
/// nanoGPT's model.py as train_bench.py has it (biases in the blocks, exact GELU, tied lm_head), with nanoGPT's dropout
/// places (embeddings, attention weights, after each residual branch) and its flash path:
/// scaled_dot_product_attention with is_causal, LibTorch's fused, tiled attention on CPU.
/// </summary>
internal sealed class Gpt : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly Dropout drop;
    private readonly ModuleList<Block> h;
    private readonly LayerNorm ln_f;
    private readonly Linear lm_head;

    public Gpt(int vocab, int block, int layers, int heads, int d, double dropout) : base(nameof(Gpt))
    {
        wte = nn.Embedding(vocab, d);
        wpe = nn.Embedding(block, d);
        drop = nn.Dropout(dropout);
        h = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new Block(d, heads, dropout)).ToArray());
        ln_f = nn.LayerNorm(d);
        lm_head = nn.Linear(d, vocab, hasBias: false);
        RegisterComponents();
        // Weight tying through the registered parameter: wte and lm_head share one tensor (parameters() lists it under
        // both modules; callers de-duplicate, see Parameters()).
        wte.weight = lm_head.weight;
        using (no_grad())
        {
            foreach (var (name, p) in named_parameters())
            {
                // normal(0, 0.02) on every Linear and Embedding weight, zeros on the biases (layer norms keep 1 and 0)
                if (p.dim() == 2)
                    nn.init.normal_(p, 0.0, 0.02);
                else if (name.EndsWith(".bias", StringComparison.Ordinal))
                    nn.init.zeros_(p);
            }
        }
    }

    /// <summary>The distinct parameters (the tied weight once), as PyTorch's parameters() gives them.</summary>
    public List<Parameter> DistinctParameters() => parameters().DistinctBy(p => p.Handle).ToList();

    /// <summary>idx, targets [B, T] to the mean cross-entropy.</summary>
    public override Tensor forward(Tensor idx, Tensor targets)
    {
        long t = idx.shape[1];
        Tensor x = drop.forward(wte.forward(idx) + wpe.forward(arange(0, t, dtype: ScalarType.Int64)));
        foreach (Block block in h)
            x = block.forward(x);
        Tensor logits = lm_head.forward(ln_f.forward(x));
        return nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), targets.view(-1), ignore_index: -1);
    }

    internal sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm ln_1;
        private readonly Linear c_attn;
        private readonly Linear attn_proj;
        private readonly LayerNorm ln_2;
        private readonly Linear c_fc;
        private readonly Linear c_proj;
        private readonly Dropout resid_dropout;
        private readonly int _heads;
        private readonly double _dropout;

        public Block(int d, int heads, double dropout) : base(nameof(Block))
        {
            ln_1 = nn.LayerNorm(d);
            c_attn = nn.Linear(d, 3 * d);
            attn_proj = nn.Linear(d, d);
            ln_2 = nn.LayerNorm(d);
            c_fc = nn.Linear(d, 4 * d);
            c_proj = nn.Linear(4 * d, d);
            resid_dropout = nn.Dropout(dropout);
            _heads = heads;
            _dropout = dropout;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            x = x + resid_dropout.forward(Attention(ln_1.forward(x)));
            return x + resid_dropout.forward(c_proj.forward(nn.functional.gelu(c_fc.forward(ln_2.forward(x)))));
        }

        private Tensor Attention(Tensor x)
        {
            long b = x.shape[0], t = x.shape[1], c = x.shape[2];
            Tensor[] qkv = c_attn.forward(x).split(c, 2);
            Tensor q = qkv[0].view(b, t, _heads, c / _heads).transpose(1, 2);   // [B, H, T, dk]
            Tensor k = qkv[1].view(b, t, _heads, c / _heads).transpose(1, 2);
            Tensor v = qkv[2].view(b, t, _heads, c / _heads).transpose(1, 2);
            Tensor y = nn.functional.scaled_dot_product_attention(q, k, v, null, training ? _dropout : 0.0, is_casual: true);
            return attn_proj.forward(y.transpose(1, 2).contiguous().view(b, t, c));
        }
    }
}
