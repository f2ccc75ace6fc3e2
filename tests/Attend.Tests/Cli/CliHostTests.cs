namespace Attend.Tests.Cli;

public class CliHostTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run("", args);

    [Fact]
    public void UnknownVerb_PrintsHelpAndExitsNonZero()
    {
        var (code, _, err) = Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown verb 'frobnicate'", err, StringComparison.Ordinal);
        Assert.Contains("Verbs:", err, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOption_PrintsVerbHelpAndExitsNonZero()
    {
        var (code, _, err) = Run("bench", "gemm", "--nope", "1");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--nope'", err, StringComparison.Ordinal);
        Assert.Contains("Usage: attend bench gemm", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_PrintsPackageVersion()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public void BenchGemm_PrintsOneJsonLineWithGflops()
    {
        var (code, output, _) = Run("bench", "gemm", "--size", "16", "--threads", "1", "--repeats", "1");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("gflops").GetDouble() > 0);
    }
}
