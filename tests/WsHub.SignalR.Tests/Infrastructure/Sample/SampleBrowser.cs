using FluentAssertions;
using Microsoft.Playwright;

namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// Debian's Chromium driven through Playwright, launched with the flags of the chat page tests. Each
/// <see cref="NewContextAsync"/> is a separate cookie jar, like a separate browser profile, so each context gets its
/// own gateway affinity cookie.
/// </summary>
internal sealed class SampleBrowser : IAsyncDisposable
{
    /// <summary>The browser the tests drive; it is never downloaded.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private SampleBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    /// <summary>
    /// Checks that Chromium and the page's SignalR client are installed, then launches Chromium.
    /// </summary>
    /// <returns>The running browser.</returns>
    public static async Task<SampleBrowser> LaunchAsync()
    {
        File.Exists(ChromiumPath).Should().BeTrue(
            $"the browser tests drive {ChromiumPath}; install it with 'apt-get install -y chromium' or run scripts/test.sh");
        File.Exists(Path.Combine(RepositoryPaths.SampleWebRoot, "lib", "signalr", "signalr.min.js")).Should().BeTrue(
            "the page loads the SignalR JS client from wwwroot/lib/signalr; run scripts/test.sh, which copies it there");

        // The tests use the system Chromium, so Playwright must not try to download its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
                Timeout = 30_000,
            }).WaitAsync(TimeSpan.FromSeconds(40));
            return new SampleBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a new context, with its own cookies, and sets its default step timeout.
    /// </summary>
    /// <param name="stepTimeoutMs">The default timeout of each Playwright step, in milliseconds.</param>
    /// <returns>The context.</returns>
    public async Task<IBrowserContext> NewContextAsync(float stepTimeoutMs)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        }).WaitAsync(TimeSpan.FromSeconds(15));
        context.SetDefaultTimeout(stepTimeoutMs);
        return context;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _playwright.Dispose();
    }
}
