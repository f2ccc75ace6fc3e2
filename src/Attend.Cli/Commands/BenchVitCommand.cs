using System.Diagnostics;
using Attend.Cli.Bench;
using Attend.Cli.Hosting;
using Attend.Kernels;
using Attend.Models;
using Attend.Tensors;
using Attend.Training;

namespace Attend.Cli.Commands;

/// <summary>
/// <c>attend bench vit</c>: times training steps (forward, cross-entropy with label smoothing, backward, clipping,
/// AdamW) of the Fashion-MNIST Vision Transformer of recipes/fashion-mnist-vit.json on random 28 x 28 images and prints
/// one JSON line; bench/pytorch/vit_bench.py times the same model and step in PyTorch.
/// </summary>
internal sealed class BenchVitCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["bench", "vit"];

    public override string Summary => "Time Vision Transformer training steps (the Fashion-MNIST recipe's model) and print images/s as JSON.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("threads", "Threads the kernels use.", "2", ValueName: "T"),
        new("steps", "Timed steps; the median is reported.", "20", ValueName: "N"),
        new("warmup", "Untimed steps first.", "5", ValueName: "N"),
        new("batch", "Images per step.", "128", ValueName: "N"),
        new("patch-size", "Patch side.", "4", ValueName: "P"),
        new("d-model", "Model width.", "64", ValueName: "N"),
        new("heads", "Attention heads.", "4", ValueName: "N"),
        new("d-ff", "Feed-forward width.", "128", ValueName: "N"),
        new("encoder-layers", "Blocks.", "4", ValueName: "N"),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        int threads = args.GetInt("threads", 1, 256), steps = args.GetInt("steps", 1), warmup = args.GetInt("warmup", 0), batch = args.GetInt("batch", 1);
        KernelThreads.Count = threads;
        var config = new ModelConfig
        {
            ModelType = "vit", DModel = args.GetInt("d-model", 1), Heads = args.GetInt("heads", 1), DFF = args.GetInt("d-ff", 1),
            EncoderLayers = args.GetInt("encoder-layers", 1), DecoderLayers = 0, Dropout = 0f, Activation = "gelu", NormFirst = true,
            LayerNormEps = 1e-6f, Positional = "learned", NumClasses = 10, ImageSize = 28, PatchSize = args.GetInt("patch-size", 1), NumChannels = 1,
        };
        VisionTransformer model;
        try
        {
            model = VisionTransformer.Create(config.Validate());
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message, e);
        }
        var adam = new Adam(model.Parameters, new AdamOptions { Beta2 = 0.999f, Eps = 1e-8f, WeightDecay = 0.05f, Decoupled = true });
        var options = new StepOptions { LabelSmoothing = 0.1f, ClipNorm = 1f };
        var rng = new Random(1234);
        float[] pixels = new float[batch * 28 * 28];
        int[] labels = new int[batch];
        float Step()
        {
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = (float)(rng.NextDouble() * 2 - 1);
            for (int i = 0; i < labels.Length; i++)
                labels[i] = rng.Next(10);
            long start = Stopwatch.GetTimestamp();
            float loss = TrainingStep.ImageClassification(model, Tensor.Wrap(pixels, batch, 1, 28, 28), labels, adam, 1e-3f, options);
            _lastMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return loss;
        }
        for (int i = 0; i < warmup; i++)
            Step();
        var times = new List<double>(steps);
        float last = 0;
        for (int i = 0; i < steps; i++)
        {
            last = Step();
            times.Add(_lastMs);
        }
        double ms = BenchReport.Median(times);
        context.Out.WriteLine(BenchReport.Json(
        [
            ("impl", "attend"), ("config", $"vit-fashion-p{config.PatchSize}-d{config.DModel}-l{config.EncoderLayers}"), ("threads", threads),
            ("steps", steps), ("images_per_step", batch), ("step_ms", ms), ("min_step_ms", times.Min()), ("max_step_ms", times.Max()),
            ("images_per_second", batch / (ms / 1000)), ("parameters", model.Parameters.Count), ("peak_memory_mb", BenchReport.PeakMemoryMb()),
            ("loss", (double)last),
        ]));
        return 0;
    }

    private double _lastMs;
}
