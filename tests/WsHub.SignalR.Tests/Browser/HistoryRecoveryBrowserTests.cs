using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.Playwright;
using WsHub.SignalR.Tests.Infrastructure.Sample;
using static Microsoft.Playwright.Assertions;
using static WsHub.SignalR.Tests.Infrastructure.Sample.ChatPageSteps;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Stops the instance that serves a page while another page sends to their room, and checks that the page, moved to
/// the other instance through the gateway, shows every message it missed once and in order. The test starts its own
/// Redis, instances and gateway, because it stops one of the instances.
/// </summary>
public sealed class HistoryRecoveryBrowserTests : IAsyncLifetime
{
    private const int GapMessageCount = 20;

    // The drain, the gateway's next probe and the page's reconnect together take a few seconds; this leaves room.
    private const float MoveTimeoutMs = 30_000;

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private GatewayCluster? _cluster;
    private SampleBrowser? _browser;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _browser = await SampleBrowser.LaunchAsync();
        _cluster = await GatewayCluster.StartAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Gateway_InstanceStopsDuringSends_ReplaysMissedOnce()
    {
        var cluster = _cluster!;
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var room = $"recovery-{_suffix}";

        // Separate contexts have separate cookies, so the gateway hands the two pages to the two instances in turn.
        var pageAlice = await OpenChatAsync(await _browser!.NewContextAsync(StepTimeoutMs), cluster.GatewayUrl, alice);
        var pageBob = await OpenChatAsync(await _browser.NewContextAsync(StepTimeoutMs), cluster.GatewayUrl, bob);
        var aliceInstanceName = await ServingInstanceAsync(pageAlice);
        var bobInstanceName = await ServingInstanceAsync(pageBob);
        bobInstanceName.Should().NotBe(aliceInstanceName, "the gateway gives two new browsers different instances in turn");
        var stopped = cluster.Instance(aliceInstanceName);
        var survivor = cluster.Other(stopped);

        await JoinRoomAsync(pageAlice, room);
        await JoinRoomAsync(pageBob, room);
        await ExpectOnlineAsync(pageAlice, alice, bob);
        var before = new[] { $"{bob} before 1", $"{bob} before 2" };
        foreach (var text in before)
        {
            await SendToRoomAsync(pageBob, text);
        }

        await ExpectRoomMessagesAsync(pageAlice, bob, before);

        // Hold alice's reconnect at its negotiate request until bob has sent everything, so that every message of the
        // gap reaches alice only through the replay, however fast the page and the gateway are.
        var releaseReconnect = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldRequests = 0;
        await pageAlice.RouteAsync(new Regex("/chat/negotiate"), async route =>
        {
            Interlocked.Increment(ref heldRequests);
            await releaseReconnect.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await route.ContinueAsync();
        }).WaitAsync(TimeSpan.FromSeconds(15));

        var stopping = stopped.StopAsync();
        await Expect(pageAlice.GetByTestId("connection-state")).ToHaveAttributeAsync(
            "data-state",
            "reconnecting",
            new LocatorAssertionsToHaveAttributeOptions { Timeout = MoveTimeoutMs });

        var gap = Enumerable.Range(1, GapMessageCount).Select(number => $"{bob} during the gap {number}").ToArray();
        foreach (var text in gap)
        {
            await SendToRoomAsync(pageBob, text);
        }

        await ExpectRoomMessagesAsync(pageBob, bob, [.. before, .. gap]);
        await Expect(pageAlice.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "reconnecting");
        releaseReconnect.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));

        await Expect(pageAlice.GetByTestId("instance-name")).ToHaveTextAsync(
            survivor.InstanceName,
            new LocatorAssertionsToHaveTextOptions { Timeout = MoveTimeoutMs });
        await Expect(pageAlice.GetByTestId("connection-state")).ToHaveTextAsync("Connected", TextOptions());
        await Expect(pageAlice.GetByTestId("current-room")).ToHaveTextAsync(room, TextOptions());
        Volatile.Read(ref heldRequests).Should().BeGreaterThan(0, "the page reconnects with a new negotiate request");
        await ExpectRoomMessagesAsync(pageAlice, bob, [.. before, .. gap]);

        var after = $"{bob} after the move";
        await SendToRoomAsync(pageBob, after);
        await ExpectRoomMessagesAsync(pageAlice, bob, [.. before, .. gap, after]);
        await Expect(pageAlice.GetByTestId("recovery-failed")).ToHaveCountAsync(
            0,
            new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });
        var duplicates = await pageAlice.GetByTestId("messages").GetAttributeAsync("data-duplicate-deliveries")
            .WaitAsync(TimeSpan.FromSeconds(15));
        duplicates.Should().Be("0", "the replay after the move delivers each missed message once");
    }

    private static async Task<string> ServingInstanceAsync(IPage page)
    {
        var name = page.GetByTestId("instance-name");
        await Expect(name).ToHaveTextAsync(new Regex("^instance-[ab]$"), TextOptions());
        return (await name.TextContentAsync().WaitAsync(TimeSpan.FromSeconds(15)))!;
    }
}
