using System.Text.Json;

namespace Attend.Tests.Cli;

public sealed class DemoTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "attend-demo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void QuickDemo_ReachesHighExactMatchAndWritesItsPictures()
    {
        var (code, output, err) = CliRunner.Run("", "demo", "--quick", "--json", "--out", _dir);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        JsonElement r = doc.RootElement;
        double accuracy = r.GetProperty("exact_match").GetDouble();
        Assert.True(accuracy >= 0.9, $"exact match {accuracy}");
        Assert.True(File.Exists(r.GetProperty("loss_curve_png").GetString()));
        Assert.True(File.Exists(r.GetProperty("attention_png").GetString()));
        Assert.True(r.GetProperty("training_seconds").GetDouble() > 0);
    }
}
