using TorchSharp;
using static TorchSharp.torch;

namespace LibTorchBench;

/// <summary>Training steps of nanoGPT's model on random tokens (train_bench.py's train_lm).</summary>
internal static class LanguageModelBench
{
    private sealed record Shape(int Vocab, int Block, int Layers, int Heads, int D, int Batch, double Dropout);

    private static Shape ShapeOf(string config) => config switch
    {
        // nanoGPT's baby GPT for a CPU (shakespeare_char), dropout 0
        "lm-nanogpt-cpu" => new Shape(65, 64, 4, 4, 128, 12, 0.0),
        // long context: attention over 1,024 positions dominates memory unless it is tiled
        "lm-long" => new Shape(8000, 1024, 6, 6, 384, 4, 0.1),
        _ => throw new ArgumentException($"not a language-model configuration: {config}"),
    };

    public static Gpt CreateModel(string config)
    {
        Shape s = ShapeOf(config);
        return new Gpt(s.Vocab, s.Block, s.Layers, s.Heads, s.D, s.Dropout);
    }

    public static BenchResult Train(BenchOptions options)
    {
        Shape s = ShapeOf(options.Config);
        var model = CreateModel(options.Config);
        model.train();
        var parameters = model.DistinctParameters();
        // nanoGPT's configure_optimizers: weight decay on the 2-D weights only
        var decay = parameters.Where(p => p.dim() >= 2).ToList();
        var noDecay = parameters.Where(p => p.dim() < 2).ToList();
        var opt = optim.AdamW(
            [
                new TorchSharp.Modules.AdamW.ParamGroup(decay, new TorchSharp.Modules.AdamW.Options { weight_decay = 0.1 }),
                new TorchSharp.Modules.AdamW.ParamGroup(noDecay, new TorchSharp.Modules.AdamW.Options { weight_decay = 0.0 }),
            ],
            lr: 1e-3, beta1: 0.9, beta2: 0.99);

        double Step()
        {
            Tensor x = randint(0, s.Vocab, [s.Batch, s.Block]);
            Tensor y = randint(0, s.Vocab, [s.Batch, s.Block]);
            Tensor loss = model.forward(x, y);
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            opt.step();
            opt.zero_grad();
            return loss.item<float>();
        }

        var (times, lossValue) = BenchResult.Time(Step, options.Warmup, options.Steps);
        double flops = 3 * ModelFlops.LanguageModelForward(s.D, 4 * s.D, s.Layers, s.Vocab, s.Batch, s.Block);
        return new BenchResult(times, lossValue, s.Batch * s.Block, flops, BenchResult.CountParameters(parameters));
    }
}
