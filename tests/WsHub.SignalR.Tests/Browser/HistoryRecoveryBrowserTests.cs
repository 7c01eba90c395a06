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
public sealed class HistoryRecoveryBrowserTests : GatewayBrowserTest
{
    private const int GapMessageCount = 20;

    [Fact]
    public async Task Gateway_InstanceStopsDuringSends_ReplaysMissedOnce()
    {
        var cluster = Cluster;
        var room = $"recovery-{Suffix}";
        var (alice, bob, pageAlice, pageBob, stopped, survivor) = await OpenPagesInRoomAsync(room);

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

}
