using System.Globalization;
using System.Text.Json;

namespace Attend.Tests.Cli;

public sealed class LmAndClassifierTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "attend-lmcls-" + Guid.NewGuid().ToString("N"));

    public LmAndClassifierTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Small = ["--d-model", "32", "--heads", "2", "--d-ff", "64", "--max-len", "32", "--threads", "1", "--warmup", "2"];

    [Fact]
    public void LanguageModel_TrainsThenGeneratesAndEvaluates()
    {
        string text = Path.Combine(_dir, "text.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("to be or not to be, that is the question.\n", 60)));
        string run = Path.Combine(_dir, "lm");
        var train = CliRunner.Run("", [.. new[] { "train", "--task", "lm", "--input", text, "--out", run, "--vocab-size", "260",
            "--decoder-layers", "1", "--block", "16", "--batch", "4", "--steps", "30", "--validate-every", "15", "--lr", "0.003" }, .. Small]);
        Assert.True(train.Code == 0, train.Err);
        var first = CliRunner.Run("", "generate", "--model", Path.Combine(run, "best"), "--prompt", "to be", "--max-new-tokens", "20", "--seed", "7");
        var again = CliRunner.Run("", "generate", "--model", Path.Combine(run, "best"), "--prompt", "to be", "--max-new-tokens", "20", "--seed", "7");
        Assert.True(first.Code == 0, first.Err);
        Assert.StartsWith("to be", first.Out, StringComparison.Ordinal);
        Assert.Equal(first.Out, again.Out);
        var eval = CliRunner.Run("", "eval", "--model", Path.Combine(run, "best"), "--input", text, "--block", "16", "--json");
        Assert.True(eval.Code == 0, eval.Err);
        using var doc = JsonDocument.Parse(eval.Out.Trim().Split('\n')[^1]);
        Assert.True(doc.RootElement.GetProperty("perplexity").GetDouble() > 1);
    }

    [Fact]
    public void Classifier_TrainsThenClassifiesEmbedsAndEvaluates()
    {
        string data = Path.Combine(_dir, "labelled.tsv");
        var rng = new Random(1);
        File.WriteAllLines(data, Enumerable.Range(0, 200).Select(i => i % 2 == 0
            ? $"pos\tgood great fine {rng.Next(100)}"
            : $"neg\tbad awful poor {rng.Next(100)}"));
        string run = Path.Combine(_dir, "cls");
        var train = CliRunner.Run("", [.. new[] { "train", "--task", "classify", "--input", data, "--out", run, "--vocab-size", "300",
            "--encoder-layers", "1", "--steps", "40", "--validate-every", "20", "--max-tokens", "256", "--lr", "0.003" }, .. Small]);
        Assert.True(train.Code == 0, train.Err);
        string best = Path.Combine(run, "best");
        var classify = CliRunner.Run("good great fine 7\nbad awful poor 3\n", "classify", "--model", best);
        Assert.True(classify.Code == 0, classify.Err);
        string[] lines = classify.Out.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("pos\t", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("neg\t", lines[1], StringComparison.Ordinal);
        var embed = CliRunner.Run("good\n", "embed", "--model", best);
        Assert.Equal(32, embed.Out.Trim().Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).Count());
        var eval = CliRunner.Run("", "eval", "--model", best, "--input", data, "--json");
        using var doc = JsonDocument.Parse(eval.Out.Trim().Split('\n')[^1]);
        Assert.True(doc.RootElement.GetProperty("accuracy").GetDouble() > 0.9);
    }
}
