using TorchSharp;
using static TorchSharp.torch;

namespace LibTorchBench;

/// <summary>Training steps of the translation tutorial's model on random tokens (train_bench.py's train_s2s).</summary>
internal static class TranslationBench
{
    public const int Vocab = 8000, SourceLength = 32, TargetLength = 32, Pad = 0, Bos = 1;

    public static (int D, int Heads, int Ff, int Layers, int Batch) Shape(string config) => config switch
    {
        "s2s-tiny" => (128, 4, 512, 2, 64),
        "s2s-small" => (256, 8, 1024, 3, 64),
        "s2s-base" => (512, 8, 2048, 6, 32),
        _ => throw new ArgumentException($"not a translation configuration: {config}"),
    };

    /// <summary>The tutorial's initialisation: xavier_uniform_ on every parameter with more than one dimension.</summary>
    public static Seq2SeqTransformer CreateModel(string config)
    {
        var (d, heads, ff, layers, _) = Shape(config);
        var model = new Seq2SeqTransformer(layers, d, heads, Vocab, ff);
        using (no_grad())
        {
            foreach (var p in model.parameters())
            {
                if (p.dim() > 1)
                    nn.init.xavier_uniform_(p);
            }
        }
        return model;
    }

    public static BenchResult Train(BenchOptions options)
    {
        var (d, _, ff, layers, b) = Shape(options.Config);
        var model = CreateModel(options.Config);
        model.train();
        var parameters = model.parameters().ToList();
        var opt = optim.Adam(parameters, lr: 1e-4, beta1: 0.9, beta2: 0.98, eps: 1e-9);

        double Step()
        {
            Tensor src = randint(3, Vocab, [b, SourceLength]);
            Tensor tgt = randint(3, Vocab, [b, TargetLength + 1]);
            tgt[TensorIndex.Colon, 0] = Bos;
            // sequence-first: [S, B] and [T, B]
            Tensor tgtIn = tgt[TensorIndex.Colon, TensorIndex.Slice(null, -1)], tgtOut = tgt[TensorIndex.Colon, TensorIndex.Slice(1, null)];
            // the tutorial's all-false bool source mask, as float zeros: LibTorch's C++ multi-head attention adds a bool
            // mask instead of masking with it (here both mean "no mask")
            Tensor srcMask = zeros(SourceLength, SourceLength);
            Tensor tgtMask = Seq2SeqTransformer.SquareSubsequentMask(TargetLength);
            Tensor srcPad = src.eq(Pad), tgtPad = tgtIn.eq(Pad);
            Tensor logits = model.Forward(src.t(), tgtIn.t(), srcMask, tgtMask, srcPad, tgtPad, srcPad);   // [T, B, V]
            opt.zero_grad();
            Tensor loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), tgtOut.t().reshape(-1),
                ignore_index: Pad, label_smoothing: 0.1);
            loss.backward();
            opt.step();
            return loss.item<float>();
        }

        var (times, lossValue) = BenchResult.Time(Step, options.Warmup, options.Steps);
        double flops = 3 * ModelFlops.Seq2SeqForward(d, ff, layers, Vocab, b, SourceLength, TargetLength);
        return new BenchResult(times, lossValue, b * TargetLength, flops, BenchResult.CountParameters(parameters));
    }
}
