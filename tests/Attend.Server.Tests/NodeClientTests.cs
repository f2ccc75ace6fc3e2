using System.Diagnostics;
using System.Text.Json;

namespace Attend.Server.Tests;

/// <summary>The npm openai package (run by node) streams a completion from the server.</summary>
[Collection("server")]
public class NodeClientTests(ServerFixture fixture)
{
    private static readonly string NodeFolder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "node");

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    private static (int Code, string Out, string Err) Run(string program, string arguments, string folder)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(start)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync(), error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments} did not finish");
        }
        return (p.ExitCode, output.Result, error.Result);
    }

    [SkippableFact]
    public async Task NpmOpenAI_StreamsACompletion_AsTheServerCompletesItWhole()
    {
        Skip.If(Which("node") is null, "node is not installed: the npm openai client cannot run");
        string folder = Path.GetFullPath(NodeFolder);
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "openai")))
        {
            Skip.If(Which("npm") is null, "npm is not installed: the npm openai client cannot be installed");
            var install = Run("npm", "install --no-audit --no-fund", folder);
            Assert.True(install.Code == 0, "npm install failed: " + install.Err);
        }
        var (code, output, error) = Run("node", $"completions-stream.mjs {fixture.Server.BaseUrl}/v1 lm \"a dog runs\" 24 9", folder);
        Assert.True(code == 0, error);
        using JsonDocument streamed = JsonDocument.Parse(output);
        var (status, whole) = await fixture.Server.PostJson("/v1/completions",
            """{"model": "lm", "prompt": "a dog runs", "max_tokens": 24, "seed": 9, "temperature": 0.8}""");
        Assert.Equal(200, status);
        JsonElement choice = whole.GetProperty("choices")[0];
        Assert.Equal(choice.GetProperty("text").GetString(), streamed.RootElement.GetProperty("text").GetString());
        Assert.Equal(choice.GetProperty("finish_reason").GetString(), streamed.RootElement.GetProperty("finish")!.GetString());
        Assert.True(streamed.RootElement.GetProperty("chunks").GetInt32() > 2, "the completion was not streamed");
        Assert.Equal(whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32(),
            streamed.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }
}
