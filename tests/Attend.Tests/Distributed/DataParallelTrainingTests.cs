using System.Globalization;
using System.Text.Json;
using Attend.Data;
using Attend.IO;
using Attend.Tests.Cli;

namespace Attend.Tests.Distributed;

/// <summary>
/// Small data and one-process reference runs of <c>attend train</c> (in this process) for a translator and a language
/// model, which the distributed runs must reproduce.
/// </summary>
public sealed class DataParallelRuns : IDisposable
{
    public DataParallelRuns()
    {
        Directory.CreateDirectory(Root);
        var rng = new Random(3);
        string Word() => new string(Enumerable.Range(0, 2 + rng.Next(3)).Select(_ => (char)('a' + rng.Next(6))).ToArray());
        var sources = Enumerable.Range(0, 300).Select(_ => string.Join(' ', Enumerable.Range(0, 2 + rng.Next(3)).Select(_ => Word()))).ToList();
        File.WriteAllLines(Path.Combine(Root, "train.src"), sources);
        File.WriteAllLines(Path.Combine(Root, "train.tgt"), sources.Select(s => s.ToUpperInvariant()));
        File.WriteAllText(Path.Combine(Root, "text.txt"), string.Join(' ', Enumerable.Range(0, 4000).Select(_ => Word())));
        ImageSet images = Training.ImageTrainingTests.Shapes(150, 1);
        IdxFile.Write(Path.Combine(Root, "images-idx3-ubyte"), [images.Count, 8, 8], images.Pixels);
        IdxFile.Write(Path.Combine(Root, "labels-idx1-ubyte"), [images.Count], images.Labels.Select(l => (byte)l).ToArray());
        TranslationReference = Reference(Translation());
        LanguageModelReference = Reference(LanguageModel());
        ImageClassificationReference = Reference(ImageClassification(), out string log);
        ImageClassificationLog = log;
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "attend-mpi-" + Guid.NewGuid().ToString("N"));

    /// <summary>A tiny translator with dropout 0.1 and label smoothing, 16 steps of about 256 padded tokens, validated (and checkpointed) every 4.</summary>
    public string[] Translation(int steps = 16) => ["train", "--task", "translate", "--source", Path.Combine(Root, "train.src"), "--target", Path.Combine(Root, "train.tgt"),
        "--vocab-size", "280", "--d-model", "16", "--heads", "2", "--d-ff", "32", "--encoder-layers", "1", "--decoder-layers", "1",
        "--max-len", "32", "--max-tokens", "256", "--valid-fraction", "0.03", .. Common(steps)];

    /// <summary>A tiny character-level language model with dropout 0.1: 16 steps of 6 blocks of 16 tokens.</summary>
    public string[] LanguageModel(int steps = 16) => ["train", "--task", "lm", "--input", Path.Combine(Root, "text.txt"), "--vocab-size", "260",
        "--d-model", "16", "--heads", "2", "--d-ff", "32", "--decoder-layers", "1", "--block", "16", "--batch", "6",
        "--max-len", "16", "--norm-first", "--dropout", "0.1", .. Common(steps)];

    /// <summary>A tiny Vision Transformer on 8 x 8 shapes with random crops and flips: 16 steps of 12 images (a rank of 5 gets 2 or 3).</summary>
    public string[] ImageClassification(int steps = 16) => ["train", "--task", "image-classify", "--images", Path.Combine(Root, "images-idx3-ubyte"),
        "--labels", Path.Combine(Root, "labels-idx1-ubyte"), "--patch-size", "4", "--d-model", "16", "--heads", "2", "--d-ff", "32",
        "--encoder-layers", "1", "--batch", "12", "--crop-padding", "1", "--flip", "--valid-fraction", "0.1", .. Common(steps)];

    /// <summary>The one-process run's output folder.</summary>
    public string TranslationReference { get; }

    public string LanguageModelReference { get; }

    public string ImageClassificationReference { get; }

    /// <summary>What the one-process image run printed.</summary>
    public string ImageClassificationLog { get; }

    private static string[] Common(int steps) => ["--steps", steps.ToString(CultureInfo.InvariantCulture), "--schedule", "constant", "--warmup", "2", "--lr", "0.003", "--validate-every", "4", "--threads", "1"];

    public string NewOut() => Path.Combine(Root, "run-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private string Reference(string[] args) => Reference(args, out _);

    private string Reference(string[] args, out string log)
    {
        string outDir = NewOut();
        var (code, output, err) = CliRunner.Run("", [.. args, "--out", outDir]);
        Assert.True(code == 0, err);
        log = output + err;
        return outDir;
    }
}

/// <summary>
/// <c>mpirun -np N attend train</c> computes what one process computes: the same losses and weights for N = 1, 2, 3,
/// up to the order of floating-point sums; a killed rank ends the job within seconds, and the run resumes on another
/// number of ranks to the weights of the uninterrupted run.
/// </summary>
/// <remarks>
/// Measured here (Open MPI 4.1.4, these runs by hand): -np 1 is bit-identical to one process; on 2 and 3 ranks the
/// training and validation losses differ from one process's by at most 1.2e-7 (relative) and the weights by at most
/// 1.2e-7 (absolute) after 16 steps. The bounds below (1e-5) leave room for other CPUs. The key third of each in_proj_bias is left out of the weight comparison: it adds
/// the same q.b_k to every score of a query's row, which the softmax cancels, so its true gradient is exactly 0 and any
/// run's update of it is Adam's normalisation of rounding noise (up to the learning rate, in a direction that changes
/// with the summation order), with no effect on any output.
/// </remarks>
[Collection(nameof(MpiJob))]
public class DataParallelTrainingTests(DataParallelRuns runs) : IClassFixture<DataParallelRuns>
{
    private const double LossTolerance = 1e-5, WeightTolerance = 1e-5;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Translation_OnNRanks_GivesTheLossesAndWeightsOfOneProcess(int ranks)
    {
        MpiJob.RequireMpirun();
        string outDir = runs.NewOut();
        JobResult job = MpiJob.Run(ranks, MpiJob.Cli, [.. runs.Translation(), "--out", outDir], Limit);

        Assert.True(job.Code == 0, job.All);
        AssertSameRun(runs.TranslationReference, outDir);
        Assert.Contains($"data parallel: {ranks} ranks", job.Out, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LanguageModel_OnNRanks_GivesTheLossesAndWeightsOfOneProcess(int ranks)
    {
        MpiJob.RequireMpirun();
        string outDir = runs.NewOut();
        JobResult job = MpiJob.Run(ranks, MpiJob.Cli, [.. runs.LanguageModel(), "--out", outDir], Limit);

        Assert.True(job.Code == 0, job.All);
        AssertSameRun(runs.LanguageModelReference, outDir);
    }

    [SkippableTheory]
    [InlineData(2)]
    [InlineData(5)]
    public void ImageClassification_OnNRanks_GivesTheLossesAndWeightsOfOneProcess(int ranks)
    {
        MpiJob.RequireMpirun();
        string outDir = runs.NewOut();
        JobResult job = MpiJob.Run(ranks, MpiJob.Cli, [.. runs.ImageClassification(), "--out", outDir], Limit);

        Assert.True(job.Code == 0, job.All);
        AssertSameRun(runs.ImageClassificationReference, outDir);
        Assert.Equal(Accuracies(runs.ImageClassificationLog), Accuracies(job.All));
    }

    [SkippableFact]
    public void OnlyRankZero_PrintsAndWrites()
    {
        MpiJob.RequireMpirun();
        string outDir = runs.NewOut();
        JobResult job = MpiJob.Run(2, MpiJob.Cli, [.. runs.LanguageModel(4), "--out", outDir], Limit);

        Assert.True(job.Code == 0, job.All);
        Assert.Single(job.Out.Split('\n'), line => line.StartsWith("done: 4 steps", StringComparison.Ordinal));
        Assert.Single(job.Err.Split('\n'), line => line.Contains("starting", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void KilledRank_EndsTheJobWithinSeconds_AndTheRunResumesOnThreeRanksToTheUninterruptedWeights()
    {
        MpiJob.RequireMpirun();
        string outDir = runs.NewOut();
        // the same run, only longer (a constant schedule does not depend on the number of steps): killed after its
        // first checkpoint, then resumed with --steps 16 on another number of ranks
        RunningJob job = MpiJob.Start([.. MpiJob.Launcher(2), MpiJob.Cli, .. runs.Translation(100_000), "--out", outDir]);
        string state = Path.Combine(outDir, "last", "trainer_state.json");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(state) && !job.HasExited && clock.Elapsed < Limit)
            Thread.Sleep(20);
        int? rank1 = job.RankProcess(1);
        Assert.True(rank1 is not null && !job.HasExited, "the job ended before its first checkpoint");
        System.Diagnostics.Process.GetProcessById(rank1!.Value).Kill();
        var killed = System.Diagnostics.Stopwatch.StartNew();
        JobResult result = job.Wait(Limit);
        TimeSpan toEnd = killed.Elapsed;

        Assert.NotEqual(0, result.Code);
        Assert.True(toEnd < TimeSpan.FromSeconds(15), $"the job took {toEnd.TotalSeconds:F1} s to end after rank 1 was killed");
        Assert.Contains("rank 1", result.Err, StringComparison.Ordinal);
        Assert.Contains("signal 9", result.Err, StringComparison.Ordinal);
        long step = StepOf(outDir);
        Assert.True(step is > 0 and < 16, $"the checkpoint is at step {step}; the test needs one before step 16");
        _ = Checkpoint.LoadModel(Path.Combine(outDir, "last"));

        JobResult resumed = MpiJob.Run(3, MpiJob.Cli, [.. runs.Translation(), "--out", outDir, "--resume"], Limit);

        Assert.True(resumed.Code == 0, resumed.All);
        Assert.Contains($"resuming at step {step}", resumed.Err, StringComparison.Ordinal);
        AssertSameRun(runs.TranslationReference, outDir);
    }

    [SkippableFact]
    public void RankWithoutItsData_EndsTheJobWithOneLineNamingTheRankAndTheFile()
    {
        MpiJob.RequireMpirun();
        // rank 1 runs in a folder without the data (a machine that lacks the files): relative paths reach nothing there
        string empty = Path.Combine(runs.Root, "empty-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(empty);
        string[] train = [.. runs.LanguageModel().Select(a => a.Replace(runs.Root + "/", "", StringComparison.Ordinal)), "--out", runs.NewOut()];
        List<string> one = MpiJob.Launcher(1);
        RunningJob job = MpiJob.Start([.. one, "-wdir", runs.Root, MpiJob.Cli, .. train, ":", "-np", "1", "-wdir", empty, MpiJob.Cli, .. train]);
        JobResult result = job.Wait(Limit);

        Assert.NotEqual(0, result.Code);
        string[] errors = result.Err.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        string line = Assert.Single(errors);
        Assert.StartsWith("error: rank 1 of 2", line, StringComparison.Ordinal);
        Assert.Contains("text.txt", line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ErrorOnEveryRank_IsReportedOnceByRankZero()
    {
        MpiJob.RequireMpirun();
        string empty = Path.Combine(runs.Root, "empty-" + Guid.NewGuid().ToString("N")[..8] + ".txt");
        File.WriteAllText(empty, "");
        JobResult job = MpiJob.Run(3, MpiJob.Cli, ["train", "--task", "lm", "--input", empty, "--out", runs.NewOut()], Limit);

        Assert.NotEqual(0, job.Code);
        string line = Assert.Single(job.Err.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith("error: rank 0 of 3", line, StringComparison.Ordinal);
        Assert.Contains("the text is empty", line, StringComparison.Ordinal);
    }

    [Fact]
    public void OneProcessRun_NeverLoadsTheMpiLibrary()
    {
        Assert.True(Directory.Exists(runs.TranslationReference));
        Assert.DoesNotContain("libmpi", File.ReadAllText("/proc/self/maps"), StringComparison.Ordinal);
    }

    private static long StepOf(string outDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "last", "trainer_state.json")));
        return doc.RootElement.GetProperty("step").GetInt64();
    }

    private static void AssertSameRun(string expectedDir, string actualDir)
    {
        (double[] expectedTrain, double[] expectedValid) = Losses(expectedDir);
        (double[] actualTrain, double[] actualValid) = Losses(actualDir);
        Assert.Equal(16, expectedTrain.Length);
        Assert.Equal(expectedTrain.Length, actualTrain.Length);
        Assert.Equal(expectedValid.Length, actualValid.Length);
        for (int i = 0; i < expectedTrain.Length; i++)
            Assert.True(Math.Abs(expectedTrain[i] - actualTrain[i]) <= LossTolerance * Math.Abs(expectedTrain[i]),
                string.Create(CultureInfo.InvariantCulture, $"training loss of step {i + 1}: {actualTrain[i]:R}, one process {expectedTrain[i]:R}"));
        for (int i = 0; i < expectedValid.Length; i++)
            Assert.True(Math.Abs(expectedValid[i] - actualValid[i]) <= LossTolerance * Math.Abs(expectedValid[i]),
                string.Create(CultureInfo.InvariantCulture, $"validation loss {i + 1}: {actualValid[i]:R}, one process {expectedValid[i]:R}"));

        SafeTensorsFile expected = SafeTensorsFile.Open(Path.Combine(expectedDir, "last", "model.safetensors"));
        SafeTensorsFile actual = SafeTensorsFile.Open(Path.Combine(actualDir, "last", "model.safetensors"));
        Assert.Equal(expected.Tensors.Keys.Order(), actual.Tensors.Keys.Order());
        foreach ((string name, SafeTensorInfo info) in expected.Tensors)
        {
            float[] a = new float[info.Count], b = new float[info.Count];
            expected.ReadFloat32(name, a);
            actual.ReadFloat32(name, b);
            int keyStart = name.EndsWith("in_proj_bias", StringComparison.Ordinal) || name.EndsWith("c_attn.bias", StringComparison.Ordinal)
                || name.EndsWith("qkv.bias", StringComparison.Ordinal) ? a.Length / 3 : a.Length;
            for (int i = 0; i < a.Length; i++)
                if (i < keyStart || i >= 2 * keyStart)
                    Assert.True(Math.Abs(a[i] - b[i]) <= WeightTolerance, string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]: {b[i]:R}, one process {a[i]:R}"));
        }
    }

    // The validation accuracies a run printed ("accuracy 66.67% on 15 validation images"), in order.
    private static string[] Accuracies(string log)
    {
        string[] found = System.Text.RegularExpressions.Regex.Matches(log, @"accuracy [0-9.]+% on [0-9,]+").Select(m => m.Value).ToArray();
        Assert.NotEmpty(found);
        return found;
    }

    private static (double[] Train, double[] Valid) Losses(string outDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "last", "trainer_state.json")));
        double[] Read(string key) => doc.RootElement.GetProperty(key).EnumerateArray().Select(e => e[1].GetDouble()).ToArray();
        return (Read("train_losses"), Read("validation_losses"));
    }
}
