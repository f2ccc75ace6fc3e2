using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LibTorchBench;

/// <summary>
/// timm's Vision Transformer as bench/pytorch/vit_bench.py has it (tests/pytorch/make_fixtures.py's
/// TimmVisionTransformer) and Attend's VisionTransformer: patch_embed.proj (a stride-P convolution: the linear projection
/// of each P x P patch), a learned cls_token in front, learned pos_embed, pre-norm blocks with exact GELU, a final norm
/// on every token and a linear head on [CLS]. Attention is timm's fused path on PyTorch 2.x: scaled_dot_product_attention.
/// </summary>
internal sealed class VisionTransformer : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d patch_embed;
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public VisionTransformer(VitShape s, int imageSize, int channels, int classes, double eps = 1e-6) : base(nameof(VisionTransformer))
    {
        int patches = (imageSize / s.PatchSize) * (imageSize / s.PatchSize);
        patch_embed = nn.Conv2d(channels, s.DModel, s.PatchSize, stride: s.PatchSize);
        // normal(0, 0.02) as Attend initialises both (timm: trunc_normal_ on pos_embed); only their values differ from
        // vit_bench.py's zeros, not the work a step does
        cls_token = nn.Parameter(normal(0.0, 0.02, [1, 1, s.DModel]));
        pos_embed = nn.Parameter(normal(0.0, 0.02, [1, patches + 1, s.DModel]));
        blocks = nn.ModuleList(Enumerable.Range(0, s.EncoderLayers).Select(_ => new Block(s.DModel, s.Heads, s.DFF, eps)).ToArray());
        norm = nn.LayerNorm(s.DModel, eps);
        head = nn.Linear(s.DModel, classes);
        RegisterComponents();
    }

    /// <summary>The names of timm's no_weight_decay(): embeddings, not weights.</summary>
    public static readonly string[] NoWeightDecay = ["cls_token", "pos_embed"];

    /// <summary>images [B, C, H, W] to logits [B, classes].</summary>
    public override Tensor forward(Tensor images)
    {
        Tensor x = patch_embed.forward(images).flatten(2).transpose(1, 2);                             // [B, N, D]
        x = cat([cls_token.expand(x.shape[0], -1, -1), x], 1) + pos_embed;                             // [B, N + 1, D]
        foreach (Block block in blocks)
            x = block.forward(x);
        return head.forward(norm.forward(x)[TensorIndex.Colon, 0]);                                    // [B, classes]
    }

    internal sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm norm1;
        private readonly Linear qkv;
        private readonly Linear proj;
        private readonly LayerNorm norm2;
        private readonly Linear fc1;
        private readonly Linear fc2;
        private readonly int _heads;

        public Block(int d, int heads, int ff, double eps) : base(nameof(Block))
        {
            norm1 = nn.LayerNorm(d, eps);
            qkv = nn.Linear(d, 3 * d);
            proj = nn.Linear(d, d);
            norm2 = nn.LayerNorm(d, eps);
            fc1 = nn.Linear(d, ff);
            fc2 = nn.Linear(ff, d);
            _heads = heads;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            x = x + Attention(norm1.forward(x));
            return x + fc2.forward(nn.functional.gelu(fc1.forward(norm2.forward(x))));
        }

        private Tensor Attention(Tensor x)
        {
            long b = x.shape[0], n = x.shape[1], c = x.shape[2];
            Tensor[] qkvs = qkv.forward(x).reshape(b, n, 3, _heads, c / _heads).permute(2, 0, 3, 1, 4).unbind(0);   // 3 x [B, H, N, dk]
            Tensor y = nn.functional.scaled_dot_product_attention(qkvs[0], qkvs[1], qkvs[2]);                    // [B, H, N, dk]
            return proj.forward(y.transpose(1, 2).reshape(b, n, c));
        }
    }
}
