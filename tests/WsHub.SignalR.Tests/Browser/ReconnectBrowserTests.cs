using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.Playwright;
using WsHub.SignalR.Tests.Infrastructure.Sample;
using static Microsoft.Playwright.Assertions;
using static WsHub.SignalR.Tests.Infrastructure.Sample.ChatPageSteps;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Checks that the page comes back by itself when the server closes its connection without allowing a reconnect,
/// which the SignalR client's automatic reconnect does not handle.
/// </summary>
[Collection(SampleChatCollection.Name)]
public sealed class ReconnectBrowserTests(SampleChatCluster cluster) : IAsyncLifetime
{
    // A SignalR JSON close message (type 7) without allowReconnect, ended by the record separator.
    private const string CloseWithoutReconnect = "{\"type\":7,\"error\":\"Closed by the test.\"}\u001e";

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private SampleBrowser? _browser;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _browser = await SampleBrowser.LaunchAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }

    [Fact]
    public async Task ChatPage_CloseWithoutReconnect_StartsAgainAndRejoins()
    {
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var room = $"restart-{_suffix}";
        var context = await _browser!.NewContextAsync(StepTimeoutMs);

        // Route alice's WebSockets through Playwright, which forwards every frame and lets the test add one.
        var page = await context.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(15));
        IWebSocketRoute? current = null;
        await page.RouteWebSocketAsync(new Regex("/chat"), route =>
        {
            route.ConnectToServer();
            Volatile.Write(ref current, route);
        }).WaitAsync(TimeSpan.FromSeconds(15));
        await page.GotoAsync(cluster.UrlA.ToString()).WaitAsync(TimeSpan.FromSeconds(20));
        await page.GetByTestId("user-name").FillAsync(alice);
        await page.GetByTestId("connect").ClickAsync();
        await Expect(page.GetByTestId("connection-state")).ToHaveTextAsync("Connected", TextOptions());
        var pageBob = await OpenChatAsync(context, cluster.UrlB, bob);
        await JoinRoomAsync(page, room);
        await JoinRoomAsync(pageBob, room);
        await ExpectOnlineAsync(page, alice, bob);

        await page.EvaluateAsync("""
            () => {
              const element = document.getElementById("connection-state");
              window.seenStates = [];
              new MutationObserver(() => window.seenStates.push(element.dataset.state))
                .observe(element, { attributes: true, attributeFilter: ["data-state"] });
            }
            """).WaitAsync(TimeSpan.FromSeconds(15));
        var closed = Volatile.Read(ref current);
        closed.Should().NotBeNull("the page's hub connection runs over a routed WebSocket");
        closed!.Send(CloseWithoutReconnect);

        await Expect(page.GetByTestId("connection-state")).ToHaveTextAsync("Connected", TextOptions());
        await Expect(page.Locator("#messages li[data-kind='notice']").GetByText($"Reconnected to instance {cluster.NameA}"))
            .ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });
        var seenStates = await page.EvaluateAsync<string[]>("() => window.seenStates").WaitAsync(TimeSpan.FromSeconds(15));
        seenStates.Should().Contain("reconnecting", "the page must show that it is reconnecting");
        seenStates.Should().NotContain("disconnected", "the page must not give up on a close it did not request");
        Volatile.Read(ref current).Should().NotBeSameAs(closed, "the page must have opened a new WebSocket");
        await Expect(page.GetByTestId("current-room")).ToHaveTextAsync(room, TextOptions());
        await ExpectOnlineAsync(page, alice, bob);

        var text = $"{alice} is back";
        await SendToRoomAsync(page, text);
        await ExpectMessageAsync(pageBob, "room", alice, text);
    }
}
