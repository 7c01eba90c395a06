using FluentAssertions;
using Microsoft.Playwright;
using WsHub.SignalR.Tests.Infrastructure.Sample;
using static Microsoft.Playwright.Assertions;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Drives the SampleChat page in Debian's Chromium, with one page on each instance.
/// </summary>
[Collection(SampleChatCollection.Name)]
public sealed class ChatPageBrowserTests(SampleChatCluster cluster) : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const float StepTimeoutMs = 15_000;

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

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private string? _profileFolder;
    private IPlaywright? _playwright;
    private IBrowserContext? _browser;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        File.Exists(ChromiumPath).Should().BeTrue(
            $"the browser tests drive {ChromiumPath}; install it with 'apt-get install -y chromium' or run scripts/test.sh");
        File.Exists(Path.Combine(RepositoryPaths.SampleWebRoot, "lib", "signalr", "signalr.min.js")).Should().BeTrue(
            "the page loads the SignalR JS client from wwwroot/lib/signalr; run scripts/test.sh, which copies it there");

        // The tests use the system Chromium, so Playwright must not try to download its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _profileFolder = Directory.CreateTempSubdirectory("wshub-chromium-profile-").FullName;
        _playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _browser = await _playwright.Chromium.LaunchPersistentContextAsync(
            _profileFolder,
            new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
                ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
                Timeout = 30_000,
            }).WaitAsync(TimeSpan.FromSeconds(40));
        _browser.SetDefaultTimeout(StepTimeoutMs);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _playwright?.Dispose();
        if (_profileFolder is not null)
        {
            Directory.Delete(_profileFolder, recursive: true);
        }
    }

    [Fact]
    public async Task ChatPage_TwoInstances_ShowsEachOthersMessages()
    {
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var room = $"room-{_suffix}";
        var pageA = await OpenChatAsync(cluster.UrlA, alice);
        var pageB = await OpenChatAsync(cluster.UrlB, bob);

        await Expect(pageA.GetByTestId("instance-name")).ToHaveTextAsync(cluster.NameA, TextOptions());
        await Expect(pageB.GetByTestId("instance-name")).ToHaveTextAsync(cluster.NameB, TextOptions());

        await JoinRoomAsync(pageA, room);
        await JoinRoomAsync(pageB, room);

        var roomText = $"Hello from {alice} in {room}";
        await pageA.GetByTestId("message-text").FillAsync(roomText);
        await pageA.GetByTestId("send-room").ClickAsync();
        await ExpectMessageAsync(pageB, "room", alice, roomText);
        await ExpectMessageAsync(pageA, "room", alice, roomText);

        var directText = $"Private note from {bob}";
        await pageB.GetByTestId("direct-user").FillAsync(alice);
        await pageB.GetByTestId("direct-text").FillAsync(directText);
        await pageB.GetByTestId("send-direct").ClickAsync();
        await ExpectMessageAsync(pageA, "direct", bob, directText);

        var replyText = $"Reply from {alice}";
        await pageA.GetByTestId("direct-user").FillAsync(bob);
        await pageA.GetByTestId("direct-text").FillAsync(replyText);
        await pageA.GetByTestId("send-direct").ClickAsync();
        await ExpectMessageAsync(pageB, "direct", alice, replyText);

        var broadcastText = $"Everyone, this is {bob}";
        await pageB.GetByTestId("message-text").FillAsync(broadcastText);
        await pageB.GetByTestId("send-all").ClickAsync();
        await ExpectMessageAsync(pageA, "all", bob, broadcastText);
        await ExpectMessageAsync(pageB, "all", bob, broadcastText);

        // The ping button on bob's message invokes a client result on bob's page, which is on the other instance.
        await MessageLocator(pageA, "direct", bob, directText).GetByTestId("ping").ClickAsync();
        await Expect(pageA.Locator("#messages li[data-kind='notice']").GetByText($"Ping to {bob}: \"{bob} on {cluster.NameB}\""))
            .ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });
        await Expect(pageB.Locator("#messages li[data-kind='notice']").GetByText($"{alice} pinged you"))
            .ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });

        await Expect(pageA.GetByTestId("error")).ToBeHiddenAsync(new LocatorAssertionsToBeHiddenOptions { Timeout = StepTimeoutMs });
        await Expect(pageB.GetByTestId("error")).ToBeHiddenAsync(new LocatorAssertionsToBeHiddenOptions { Timeout = StepTimeoutMs });
        await SaveScreenshotsAsync(("two-instances-a", pageA), ("two-instances-b", pageB));
    }

    [Fact]
    public async Task ChatPage_MessageWithMarkup_ShowsItAsText()
    {
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var room = $"markup-{_suffix}";
        var pageA = await OpenChatAsync(cluster.UrlA, alice);
        var pageB = await OpenChatAsync(cluster.UrlB, bob);
        await JoinRoomAsync(pageA, room);
        await JoinRoomAsync(pageB, room);

        var markup = "<b id=\"injected\">bold</b><img src=x onerror=\"document.title='injected'\">";
        await pageA.GetByTestId("message-text").FillAsync(markup);
        await pageA.GetByTestId("send-room").ClickAsync();

        await ExpectMessageAsync(pageB, "room", alice, markup);
        (await pageB.Locator("#messages b, #messages img").CountAsync().WaitAsync(TimeSpan.FromSeconds(15)))
            .Should().Be(0, "user text must be inserted as text, never parsed as HTML");
        (await pageB.TitleAsync().WaitAsync(TimeSpan.FromSeconds(15))).Should().Be("WsHub sample chat");
    }

    [Fact]
    public async Task ChatPage_NameTooLong_ShowsErrorAndStaysDisconnected()
    {
        var page = await _browser!.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await page.GotoAsync(cluster.UrlA.ToString()).WaitAsync(TimeSpan.FromSeconds(20));

        // The input's maxlength stops typing past 64 characters, so set the value the way a script would.
        await page.GetByTestId("user-name").EvaluateAsync("(input, value) => { input.value = value; }", new string('x', 65));
        await page.GetByTestId("connect").ClickAsync();

        await Expect(page.GetByTestId("error")).ToBeVisibleAsync(VisibleOptions());
        await Expect(page.GetByTestId("connection-state")).ToHaveTextAsync("Disconnected", TextOptions());
    }

    [Fact]
    public async Task ChatPage_NameWithControlCharacter_ShowsServerRejection()
    {
        var page = await _browser!.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await page.GotoAsync(cluster.UrlB.ToString()).WaitAsync(TimeSpan.FromSeconds(20));

        // The page checks only the length, so this name reaches the server, which rejects the request with a 400.
        await page.GetByTestId("user-name").FillAsync("bad\u0007name");
        await page.GetByTestId("connect").ClickAsync();

        await Expect(page.GetByTestId("error")).ToContainTextAsync(
            "The user name contains control characters.",
            new LocatorAssertionsToContainTextOptions { Timeout = StepTimeoutMs });
        await Expect(page.GetByTestId("connection-state")).ToHaveTextAsync("Disconnected", TextOptions());
    }

    private static LocatorAssertionsToHaveTextOptions TextOptions() => new() { Timeout = StepTimeoutMs };

    private static LocatorAssertionsToBeVisibleOptions VisibleOptions() => new() { Timeout = StepTimeoutMs };

    private async Task<IPage> OpenChatAsync(Uri baseAddress, string user)
    {
        var page = await _browser!.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await page.GotoAsync(baseAddress.ToString()).WaitAsync(TimeSpan.FromSeconds(20));
        await page.GetByTestId("user-name").FillAsync(user);
        await page.GetByTestId("connect").ClickAsync();
        await Expect(page.GetByTestId("connection-state")).ToHaveTextAsync("Connected", TextOptions());
        return page;
    }

    private static async Task JoinRoomAsync(IPage page, string room)
    {
        await page.GetByTestId("room-name").FillAsync(room);
        await page.GetByTestId("join-room").ClickAsync();
        await Expect(page.GetByTestId("current-room")).ToHaveTextAsync(room, TextOptions());
    }

    private static ILocator MessageLocator(IPage page, string kind, string sender, string text)
    {
        return page.Locator($"#messages li[data-kind='{kind}'][data-from='{sender}']")
            .Filter(new LocatorFilterOptions { Has = page.GetByTestId("message-body").GetByText(text, new() { Exact = true }) });
    }

    private static async Task ExpectMessageAsync(IPage page, string kind, string sender, string text)
    {
        var message = MessageLocator(page, kind, sender, text);
        await Expect(message).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });
    }

    // Screenshots help to judge the page layout; they are written only when WSHUB_TEST_SCREENSHOT_DIR is set.
    private static async Task SaveScreenshotsAsync(params (string Name, IPage Page)[] pages)
    {
        var folder = Environment.GetEnvironmentVariable("WSHUB_TEST_SCREENSHOT_DIR");
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        foreach (var (name, page) in pages)
        {
            var options = new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png") };
            await page.ScreenshotAsync(options).WaitAsync(TimeSpan.FromSeconds(15));
        }
    }
}
