using System.Text.Json;

namespace Attend.Tests.Cli;

/// <summary>Trains a tiny translator through the CLI once, then drives the inference verbs with it.</summary>
public sealed class TrainedTranslator : IDisposable
{
    public TrainedTranslator()
    {
        Directory.CreateDirectory(Root);
        var rng = new Random(3);
        string Word() => new string(Enumerable.Range(0, 2 + rng.Next(3)).Select(_ => (char)('a' + rng.Next(6))).ToArray());
        var sources = Enumerable.Range(0, 400).Select(_ => string.Join(' ', Enumerable.Range(0, 2 + rng.Next(3)).Select(_ => Word()))).ToList();
        File.WriteAllLines(Source, sources);
        File.WriteAllLines(Target, sources.Select(s => s.ToUpperInvariant()));
        Train = CliRunner.Run("", "train", "--task", "translate", "--source", Source, "--target", Target, "--out", Out,
            "--vocab-size", "300", "--d-model", "32", "--heads", "2", "--d-ff", "64", "--encoder-layers", "1", "--decoder-layers", "1",
            "--max-len", "32", "--steps", "40", "--warmup", "5", "--lr", "0.003", "--validate-every", "20", "--max-tokens", "512", "--threads", "1");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "attend-cli-" + Guid.NewGuid().ToString("N"));

    public string Source => Path.Combine(Root, "train.src");

    public string Target => Path.Combine(Root, "train.tgt");

    public string Out => Path.Combine(Root, "run");

    public (int Code, string Out, string Err) Train { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public class TrainAndUseTests(TrainedTranslator fixture) : IClassFixture<TrainedTranslator>
{
    private string Best => Path.Combine(fixture.Out, "best");

    [Fact]
    public void Train_WritesBestAndLastCheckpointsAndLossCurve()
    {
        Assert.True(fixture.Train.Code == 0, fixture.Train.Err);
        foreach (string f in new[] { "best/config.json", "best/model.safetensors", "best/tokenizer.json", "last/trainer_state.json", "last/optimizer.safetensors", "loss.png", "run.json" })
            Assert.True(File.Exists(Path.Combine(fixture.Out, f)), f);
    }

    [Fact]
    public void Translate_FromStandardInput_WritesOneLinePerInputInOrder()
    {
        var (code, output, err) = CliRunner.Run("ab cd\n\nef\n", "translate", "--model", Best, "--max-new-tokens", "12", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Equal(3, output.Split('\n', StringSplitOptions.None).Length - 1);
    }

    [Fact]
    public void Eval_Json_EndsWithBleuAndPerplexity()
    {
        var (code, output, err) = CliRunner.Run("", "eval", "--model", Best, "--source", fixture.Source, "--target", fixture.Target, "--json", "--threads", "1", "--max-new-tokens", "12");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.InRange(doc.RootElement.GetProperty("bleu").GetDouble(), 0, 100);
        Assert.True(doc.RootElement.GetProperty("perplexity").GetDouble() > 1);
    }

    [Fact]
    public void Attention_WritesAPng()
    {
        string png = Path.Combine(fixture.Root, "att.png");
        var (code, _, err) = CliRunner.Run("", "attention", "--model", Best, "--text", "ab cd", "--out", png, "--threads", "1");
        Assert.True(code == 0, err);
        byte[] head = File.ReadAllBytes(png)[..8];
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, head);
    }

    [Fact]
    public void Generate_WithTranslatorCheckpoint_IsAClearWrongFamilyError()
    {
        var (code, _, err) = CliRunner.Run("", "generate", "--model", Best, "--prompt", "x");
        Assert.Equal(1, code);
        Assert.Contains("seq2seq", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_ContinuesFromLastCheckpoint()
    {
        string copy = Path.Combine(fixture.Root, "resumed");
        CopyDirectory(fixture.Out, copy);
        var (code, output, err) = CliRunner.Run("", "train", "--out", copy, "--resume", "--steps", "45", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Contains("done: 45 steps", output, StringComparison.Ordinal);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
    }
}
