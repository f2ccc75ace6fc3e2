using TorchSharp;
using static TorchSharp.torch;

namespace LibTorchBench;

/// <summary>The shape of `attend bench vit`'s model and batch (its options and defaults: the Fashion-MNIST recipe's ViT).</summary>
internal sealed record VitShape(int Batch = 128, int PatchSize = 4, int DModel = 64, int Heads = 4, int DFF = 128, int EncoderLayers = 4);

/// <summary>
/// Training steps of the Vision Transformer of `attend bench vit` and bench/pytorch/vit_bench.py on random 28 x 28 grey
/// images: cross-entropy with label smoothing 0.1, backward, clipping to norm 1, AdamW (lr 1e-3, betas (0.9, 0.999),
/// eps 1e-8, weight decay 0.05 on the matrices but cls_token and pos_embed). Like both, it times the step, not the
/// making of the random batch, and prints the keys of `attend bench vit` (images/s).
/// </summary>
internal static class VitBench
{
    private const int ImageSize = 28, Channels = 1, Classes = 10;

    public static VisionTransformer CreateModel(VitShape shape) => new(shape, ImageSize, Channels, Classes);

    public static string ConfigName(VitShape s) => $"vit-fashion-p{s.PatchSize}-d{s.DModel}-l{s.EncoderLayers}";

    public static string Train(BenchOptions options)
    {
        VitShape s = options.Vit;
        var model = CreateModel(s);
        model.train();
        var named = model.named_parameters().ToList();
        bool decays((string Name, TorchSharp.Modules.Parameter P) p) => p.P.dim() >= 2 && !VisionTransformer.NoWeightDecay.Contains(p.Name);
        var opt = optim.AdamW(
            [
                new TorchSharp.Modules.AdamW.ParamGroup(named.Where(decays).Select(p => p.parameter),
                    new TorchSharp.Modules.AdamW.Options { weight_decay = 0.05 }),
                new TorchSharp.Modules.AdamW.ParamGroup(named.Where(p => !decays(p)).Select(p => p.parameter),
                    new TorchSharp.Modules.AdamW.Options { weight_decay = 0.0 }),
            ],
            lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8);
        var parameters = named.Select(p => p.parameter).ToList();

        Tensor images = empty(0), labels = empty(0);
        void NextBatch()
        {
            images = rand(s.Batch, Channels, ImageSize, ImageSize) * 2 - 1;                  // [B, 1, 28, 28]
            labels = randint(0, Classes, [s.Batch]);                                        // [B]
        }
        double Step()
        {
            opt.zero_grad();
            Tensor loss = nn.functional.cross_entropy(model.forward(images), labels, label_smoothing: 0.1);
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            opt.step();
            return loss.item<float>();
        }

        var (times, loss) = BenchResult.Time(Step, options.Warmup, options.Steps, NextBatch);
        double ms = BenchResult.Median(times);
        return BenchResult.FormatJson(
        [
            ("impl", "libtorch"), ("config", ConfigName(s)), ("threads", options.Threads), ("steps", options.Steps),
            ("images_per_step", s.Batch), ("step_ms", Math.Round(ms, 3)), ("min_step_ms", Math.Round(times.Min(), 3)),
            ("max_step_ms", Math.Round(times.Max(), 3)), ("images_per_second", Math.Round(s.Batch / (ms / 1000), 1)),
            ("parameters", BenchResult.CountParameters(parameters)), ("peak_memory_mb", Math.Round(BenchResult.PeakMemoryMb(), 1)),
            ("loss", Math.Round(loss, 4)),
        ]);
    }
}
