// The LibTorch 2.10 side of `attend bench train` / `attend bench decode`: the configurations of
// bench/pytorch/train_bench.py on TorchSharp-cpu 0.107.0, one JSON line each with the same keys.
//
//   dotnet build -c Release bench/libtorch
//   dotnet bench/libtorch/bin/Release/net10.0/linux-x64/LibTorchBench.dll --config s2s-small --threads 2 --steps 6 --warmup 2
//   ... --config decode-s2s-small --kv-cache        (incremental decoder with a key/value cache, as HF generate)
//   ... --config decode-s2s-small                   (the tutorial's loop: the whole prefix again at every step)
//   ... --config lm-long --parameters-only          (the model's parameter count, nothing timed)
//   ... --config vit --threads 2 --steps 20 --warmup 5  (`attend bench vit`'s ViT, images/s; --batch, --patch-size,
//                                                     --d-model, --heads, --d-ff, --encoder-layers as that verb has them)
//   ... --config gemm --threads 2 --steps 10 --warmup 2  (torch.mm of two 1024 x 1024 matrices, GFLOP/s; --size N)
using System.Globalization;
using LibTorchBench;
using TorchSharp;

var options = BenchOptions.Parse(args);
torch.set_num_threads(options.Threads);
torch.manual_seed(0);
if (options.ParametersOnly)
{
    // the models' sizes, to check against train_bench.py's without timing anything
    long count = options.Config switch
    {
        "s2s-tiny" or "s2s-small" or "s2s-base" => BenchResult.CountParameters(TranslationBench.CreateModel(options.Config).parameters()),
        "lm-nanogpt-cpu" or "lm-long" => BenchResult.CountParameters(LanguageModelBench.CreateModel(options.Config).parameters()),
        "vit" => BenchResult.CountParameters(VitBench.CreateModel(options.Vit).parameters()),
        _ => throw new ArgumentException($"no model for --config {options.Config}"),
    };
    string name = options.Config == "vit" ? VitBench.ConfigName(options.Vit) : options.Config;
    Console.WriteLine($"{{\"impl\": \"libtorch\", \"config\": \"{name}\", \"parameters\": {count}}}");
    return 0;
}
if (options.Config == "gemm")
{
    Console.WriteLine(GemmBench.Run(options.Size, options.Threads, options.Warmup, options.Steps));
    return 0;
}
if (options.Config == "vit")
{
    // images/s, with the keys of `attend bench vit` rather than the language models' tokens/s
    Console.WriteLine(VitBench.Train(options));
    return 0;
}
BenchResult result = options.Config switch
{
    "s2s-tiny" or "s2s-small" or "s2s-base" => TranslationBench.Train(options),
    "lm-nanogpt-cpu" or "lm-long" => LanguageModelBench.Train(options),
    "decode-s2s-small" => DecodeBench.Run(options),
    _ => throw new ArgumentException($"unknown --config {options.Config}; expected s2s-tiny, s2s-small, s2s-base, lm-nanogpt-cpu, lm-long, decode-s2s-small, vit or gemm"),
};
Console.WriteLine(result.Json(options));
return 0;

namespace LibTorchBench
{
    /// <summary>Command-line options, named as train_bench.py names them.</summary>
    internal sealed record BenchOptions(string Config, int Threads, int Steps, int Warmup, double? PeakGflops, bool KvCache, bool Verify, bool ParametersOnly,
        VitShape Vit, int Size)
    {
        public static BenchOptions Parse(string[] args)
        {
            string config = "";
            int threads = 2, steps = 10, warmup = 2, size = 1024;
            double? peak = null;
            bool kvCache = false, verify = false, parametersOnly = false;
            var vit = new VitShape();
            bool vitShapeGiven = false, sizeGiven = false;
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int Positive()
                {
                    string option = args[i];
                    int value = int.Parse(Value(), CultureInfo.InvariantCulture);
                    vitShapeGiven = true;
                    return value >= 1 ? value : throw new ArgumentException($"{option} must be at least 1");
                }
                switch (args[i])
                {
                    case "--config": config = Value(); break;
                    case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--steps": steps = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--warmup": warmup = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--peak-gflops": peak = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--kv-cache": kvCache = true; break;
                    case "--verify": verify = true; break;
                    case "--parameters-only": parametersOnly = true; break;
                    case "--size": size = int.Parse(Value(), CultureInfo.InvariantCulture); sizeGiven = true; break;
                    case "--batch": vit = vit with { Batch = Positive() }; break;
                    case "--patch-size": vit = vit with { PatchSize = Positive() }; break;
                    case "--d-model": vit = vit with { DModel = Positive() }; break;
                    case "--heads": vit = vit with { Heads = Positive() }; break;
                    case "--d-ff": vit = vit with { DFF = Positive() }; break;
                    case "--encoder-layers": vit = vit with { EncoderLayers = Positive() }; break;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            if (config.Length == 0)
                throw new ArgumentException("--config is required");
            if (threads < 1 || steps < 1 || warmup < 0)
                throw new ArgumentException("--threads and --steps must be at least 1, --warmup at least 0");
            if (size < 1)
                throw new ArgumentException("--size must be at least 1");
            if (sizeGiven && config != "gemm")
                throw new ArgumentException("--size goes with --config gemm");
            if (vitShapeGiven && config != "vit")
                throw new ArgumentException("--batch, --patch-size, --d-model, --heads, --d-ff and --encoder-layers go with --config vit");
            if (config == "vit" && (28 % vit.PatchSize != 0 || vit.DModel % vit.Heads != 0))
                throw new ArgumentException("--patch-size must divide 28 and --heads must divide --d-model");
            return new BenchOptions(config, threads, steps, warmup, peak, kvCache, verify, parametersOnly, vit, size);
        }
    }
}
