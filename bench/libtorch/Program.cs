// The LibTorch 2.10 side of `attend bench train` / `attend bench decode`: the configurations of
// bench/pytorch/train_bench.py on TorchSharp-cpu 0.107.0, one JSON line each with the same keys.
//
//   dotnet build -c Release bench/libtorch
//   dotnet bench/libtorch/bin/Release/net10.0/linux-x64/LibTorchBench.dll --config s2s-small --threads 2 --steps 6 --warmup 2
//   ... --config decode-s2s-small --kv-cache        (incremental decoder with a key/value cache, as HF generate)
//   ... --config decode-s2s-small                   (the tutorial's loop: the whole prefix again at every step)
//   ... --config lm-long --parameters-only          (the model's parameter count, nothing timed)
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
        _ => throw new ArgumentException($"no model for --config {options.Config}"),
    };
    Console.WriteLine($"{{\"impl\": \"libtorch\", \"config\": \"{options.Config}\", \"parameters\": {count}}}");
    return 0;
}
BenchResult result = options.Config switch
{
    "s2s-tiny" or "s2s-small" or "s2s-base" => TranslationBench.Train(options),
    "lm-nanogpt-cpu" or "lm-long" => LanguageModelBench.Train(options),
    "decode-s2s-small" => DecodeBench.Run(options),
    _ => throw new ArgumentException($"unknown --config {options.Config}; expected s2s-tiny, s2s-small, s2s-base, lm-nanogpt-cpu, lm-long or decode-s2s-small"),
};
Console.WriteLine(result.Json(options));
return 0;

namespace LibTorchBench
{
    /// <summary>Command-line options, named as train_bench.py names them.</summary>
    internal sealed record BenchOptions(string Config, int Threads, int Steps, int Warmup, double? PeakGflops, bool KvCache, bool Verify, bool ParametersOnly)
    {
        public static BenchOptions Parse(string[] args)
        {
            string config = "";
            int threads = 2, steps = 10, warmup = 2;
            double? peak = null;
            bool kvCache = false, verify = false, parametersOnly = false;
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
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
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            if (config.Length == 0)
                throw new ArgumentException("--config is required");
            if (threads < 1 || steps < 1 || warmup < 0)
                throw new ArgumentException("--threads and --steps must be at least 1, --warmup at least 0");
            return new BenchOptions(config, threads, steps, warmup, peak, kvCache, verify, parametersOnly);
        }
    }
}
