using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Attend.Server.Tests;

/// <summary>attend serve as a real process: it prints where it listens, and SIGTERM drains the requests in flight before it exits.</summary>
public partial class ServeCommandTests
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    private const int SIGTERM = 15;

    [SkippableFact]
    public async Task Sigterm_LetsTheStreamInFlightFinish_ThenTheProcessExitsCleanly()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a POSIX signal");
        string cli = Path.Combine(AppContext.BaseDirectory, "Attend.Cli.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{cli}\" serve --model \"{TestModels.Lm}\" --urls http://127.0.0.1:0 --threads 1")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        try
        {
            string? line;
            string? url = null;
            while (url is null && (line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))) is not null)
                if (line.StartsWith("attend serve: listening on ", StringComparison.Ordinal))
                    url = line.Split(' ')[4];
            Assert.NotNull(url);
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
            {
                Content = new StringContent("""{"model": "lm", "prompt": "a", "max_tokens": 400, "stream": true, "temperature": 0}""", Encoding.UTF8, "application/json"),
            };
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await reader.ReadLineAsync(), StringComparison.Ordinal);
            Assert.Equal(0, kill(process.Id, SIGTERM));
            Exception? refused = null;
            for (int i = 0; i < 100 && refused is null; i++)   // once the signal is handled, new connections are refused
            {
                try
                {
                    using var probe = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
                    using HttpResponseMessage health = await probe.GetAsync("/health");
                    await Task.Delay(20);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    refused = ex;
                }
            }
            Assert.True(refused is not null, "the server still took new requests after SIGTERM");
            string rest = await reader.ReadToEndAsync();
            Assert.Contains("\"finish_reason\":\"length\"", rest, StringComparison.Ordinal);
            Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("attend serve: stopped", await process.StandardOutput.ReadToEndAsync(), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void ServeHelp_ListsItsOptions()
    {
        var output = new StringWriter();
        int code = Attend.Cli.Hosting.Cli.Run(["serve", "--help"], new Attend.Cli.Hosting.CliContext(new StringReader(""), output, new StringWriter()),
            Attend.Cli.Commands.CommandRegistry.All);
        Assert.Equal(0, code);
        foreach (string option in new[] { "--model", "--urls", "--api-key", "--max-batch", "--max-wait-ms", "--max-queue" })
            Assert.Contains(option, output.ToString(), StringComparison.Ordinal);
    }
}
