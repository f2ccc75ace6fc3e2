using PuppeteerSharp;

namespace Attend.Server.Tests;

/// <summary>The page at "/" in Debian's chromium, headless, driven by PuppeteerSharp (no browser download).</summary>
[Collection("server")]
public class PageTests(ServerFixture fixture)
{
    private static readonly string[] ChromiumPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    /// <summary>Where the screenshot goes: ATTEND_SCREENSHOT when set (docs/images/serve-page.png is made so), else the test output.</summary>
    private static string ScreenshotPath =>
        Environment.GetEnvironmentVariable("ATTEND_SCREENSHOT") is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "serve-page.png");

    [SkippableFact]
    public async Task ThePage_TranslatesASentence_AndDrawsTheCrossAttentionOfAnyLayerAndHead()
    {
        string? chromium = ChromiumPaths.FirstOrDefault(File.Exists);
        Skip.If(chromium is null, "Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)");
        string profile = Path.Combine(Path.GetTempPath(), "attend-chromium-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using IBrowser browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = chromium,
                Headless = false,   // the flags below say headless; PuppeteerSharp adds none of its own then
                UserDataDir = profile,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
                Timeout = 60_000,
            });
            await using IPage page = await browser.NewPageAsync();
            await page.SetViewportAsync(new ViewPortOptions { Width = 1100, Height = 900 });
            await page.GoToAsync(fixture.Server.BaseUrl + "/", WaitUntilNavigation.Load);
            await page.WaitForSelectorAsync("#model option[value=mt]");
            await page.SelectAsync("#model", "mt");
            await page.TypeAsync("#input", "ein hund läuft im schnee");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#tokens .token').length > 0");
            await page.ClickAsync("#run");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#heatmap rect.cell').length > 0", new WaitForFunctionOptions { Timeout = 30_000 });
            string output = await page.EvaluateExpressionAsync<string>("document.getElementById('output').textContent");
            var (status, body) = await fixture.Server.PostJson("/v1/translations", """{"model": "mt", "input": "ein hund läuft im schnee", "max_tokens": 31}""");
            Assert.Equal(200, status);
            Assert.Equal(body.GetProperty("data")[0].GetProperty("text").GetString(), output);   // the page shows the server's translation
            int rows = await page.EvaluateExpressionAsync<int>("views[0].rows.length");
            int columns = await page.EvaluateExpressionAsync<int>("views[0].columns.length");
            int tokens = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#tokens .token').length");
            Assert.Equal(tokens, columns);   // the heatmap's columns are the source tokens the page listed
            Assert.Equal(rows * columns, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#heatmap rect.cell').length"));
            // Another layer and head redraw the same grid with other weights.
            string before = await page.EvaluateExpressionAsync<string>("[...document.querySelectorAll('#heatmap rect.cell')].map(r => r.getAttribute('fill')).join()");
            await page.SelectAsync("#layer", "0");
            await page.SelectAsync("#head", "1");
            string after = await page.EvaluateExpressionAsync<string>("[...document.querySelectorAll('#heatmap rect.cell')].map(r => r.getAttribute('fill')).join()");
            Assert.NotEqual(before, after);
            Assert.Equal(rows * columns, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#heatmap rect.cell').length"));
            await page.ScreenshotAsync(ScreenshotPath, new ScreenshotOptions { FullPage = true });
            Assert.True(new FileInfo(ScreenshotPath).Length > 10_000);
        }
        finally
        {
            if (Directory.Exists(profile))
                Directory.Delete(profile, recursive: true);
        }
    }
}
