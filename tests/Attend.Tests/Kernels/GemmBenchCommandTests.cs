using Attend.Tests.Cli;

namespace Attend.Tests.Kernels;

public class GemmBenchCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run("", args);

    [Fact]
    public void BenchGemm_NonSquareTransposed_PrintsJsonWithShapeAndRate()
    {
        var (code, output, _) = Run("bench", "gemm", "--m", "3", "--n", "17", "--k", "9", "--transpose", "nt", "--threads", "1", "--repeats", "1");
        Assert.Equal(0, code);
        Assert.Matches("""^\{"op":"gemm","size":1024,"m":3,"n":17,"k":9,"transpose":"nt","path":"\w+","threads":1,"seconds":[0-9.]+,"gflops":[0-9.]+\}$""", output.Trim());
    }

    [Fact]
    public void BenchGemm_UnknownForm_FailsNamingTheOption()
    {
        var (code, _, err) = Run("bench", "gemm", "--size", "8", "--transpose", "xy");
        Assert.Equal(2, code);
        Assert.Contains("'--transpose' must be nn, nt, tn or tt", err, StringComparison.Ordinal);
    }
}
