namespace Attend.Tests.Cli;

/// <summary>
/// Each published recipe trains for a few steps on a slice of its real data, to prove the pipeline runs;
/// the full runs are by hand. Skipped (with the reason) where ../shared/data is absent.
/// </summary>
public sealed class RecipeSmokeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "attend-recipe-" + Guid.NewGuid().ToString("N"));

    public RecipeSmokeTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableTheory]
    [InlineData("multi30k-de-en.json", "multi30k/train.de", "multi30k/train.en", 400)]
    [InlineData("shakespeare-char.json", "tinyshakespeare/input.txt", null, 2000)]
    [InlineData("shakespeare-bpe.json", "tinyshakespeare/input.txt", null, 2000)]
    public void Recipe_TrainsAFewStepsOnASlice(string recipe, string first, string? second, int lines)
    {
        string? data = SharedData.Find();
        Skip.If(data is null, "../shared/data is not beside this checkout (a user's clone has no shared data)");
        string root = SharedData.RepositoryRoot()!;
        string a = Slice(Path.Combine(data!, first), lines);
        var args = new List<string> { "train", "--recipe", Path.Combine(root, "recipes", recipe), "--out", Path.Combine(_dir, "run"),
            "--steps", "3", "--validate-every", "3", "--threads", "1", "--max-tokens", "512", "--batch", "4" };
        if (second is null)
        {
            args.AddRange(["--input", a, "--vocab-size", recipe.Contains("bpe", StringComparison.Ordinal) ? "400" : "260"]);
        }
        else
        {
            string b = Slice(Path.Combine(data!, second), lines);
            args.AddRange(["--source", a, "--target", b, "--valid-source", a, "--valid-target", b, "--vocab-size", "600"]);
        }
        var (code, output, err) = CliRunner.Run("", [.. args]);
        Assert.True(code == 0, err);
        Assert.Contains("done: 3 steps", output, StringComparison.Ordinal);
    }

    private string Slice(string path, int lines)
    {
        string slice = Path.Combine(_dir, Path.GetFileName(path) + ".slice");
        File.WriteAllLines(slice, File.ReadLines(path).Take(lines));
        return slice;
    }
}
