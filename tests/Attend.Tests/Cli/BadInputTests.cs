namespace Attend.Tests.Cli;

public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "attend-bad-" + Guid.NewGuid().ToString("N"));

    public BadInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Train_MismatchedLineCounts_NamesBothFiles()
    {
        string src = Path.Combine(_dir, "a.txt"), tgt = Path.Combine(_dir, "b.txt");
        File.WriteAllLines(src, ["one", "two", "three"]);
        File.WriteAllLines(tgt, ["eins", "zwei"]);
        var (code, _, err) = CliRunner.Run("", "train", "--source", src, "--target", tgt, "--out", Path.Combine(_dir, "out"));
        Assert.Equal(1, code);
        Assert.Contains("has 3 lines but", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_EmptyLine_NamesFileAndLine()
    {
        string src = Path.Combine(_dir, "a.txt"), tgt = Path.Combine(_dir, "b.txt");
        File.WriteAllLines(src, ["one", "", "three"]);
        File.WriteAllLines(tgt, ["eins", "zwei", "drei"]);
        var (code, _, err) = CliRunner.Run("", "train", "--source", src, "--target", tgt, "--out", Path.Combine(_dir, "out"));
        Assert.Equal(1, code);
        Assert.Contains("line 2 is empty", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_MissingCheckpoint_IsAClearError()
    {
        var (code, _, err) = CliRunner.Run("", "translate", "--model", Path.Combine(_dir, "nothing"));
        Assert.Equal(1, code);
        Assert.Contains("no such checkpoint folder", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_UnknownRecipeKey_IsAnError()
    {
        string recipe = Path.Combine(_dir, "r.json");
        File.WriteAllText(recipe, """{"steps": 10, "frobnicate": 1}""");
        var (code, _, err) = CliRunner.Run("", "train", "--recipe", recipe, "--out", Path.Combine(_dir, "out"));
        Assert.Equal(1, code);
        Assert.Contains("unknown key 'frobnicate'", err, StringComparison.Ordinal);
    }
}
