using FluentAssertions;
using Microsoft.Playwright;
using WsHub.SignalR.Tests.Infrastructure.Sample;
using static Microsoft.Playwright.Assertions;
using static WsHub.SignalR.Tests.Infrastructure.Sample.ChatPageSteps;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Opens the chat through the gateway, stops the instance that serves a page and checks that the page moves to the
/// other instance through the same address. Each test starts its own Redis, instances and gateway, because it
/// stops one of the instances.
/// </summary>
public sealed class GatewayFailoverBrowserTests : GatewayBrowserTest
{
    [Fact]
    public async Task Gateway_ServingInstanceStops_PageMovesToOther()
    {
        var cluster = Cluster;
        var room = $"failover-{Suffix}";
        var (alice, bob, pageAlice, pageBob, stopped, survivor) = await OpenPagesInRoomAsync(room);

        var clusterView = await (await Browser.NewContextAsync(StepTimeoutMs)).NewPageAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await clusterView.GotoAsync(new Uri(cluster.GatewayUrl, "cluster.html").ToString()).WaitAsync(TimeSpan.FromSeconds(20));
        await Expect(InstanceRow(clusterView, stopped.InstanceName)).ToHaveCountAsync(1, CountOptions(StepTimeoutMs));
        await Expect(InstanceRow(clusterView, survivor.InstanceName)).ToHaveCountAsync(1, CountOptions(StepTimeoutMs));

        // Record every state the page shows, so the short reconnecting state cannot slip between two polls.
        await pageAlice.EvaluateAsync("""
            () => {
              const element = document.getElementById("connection-state");
              window.seenStates = [];
              new MutationObserver(() => window.seenStates.push(element.dataset.state))
                .observe(element, { attributes: true, attributeFilter: ["data-state"] });
            }
            """).WaitAsync(TimeSpan.FromSeconds(15));

        await stopped.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));

        await Expect(pageAlice.GetByTestId("instance-name")).ToHaveTextAsync(
            survivor.InstanceName,
            new LocatorAssertionsToHaveTextOptions { Timeout = MoveTimeoutMs });
        await Expect(pageAlice.GetByTestId("connection-state")).ToHaveTextAsync("Connected", TextOptions());
        await Expect(pageAlice.GetByTestId("current-room")).ToHaveTextAsync(room, TextOptions());
        await Expect(pageAlice.GetByTestId("reconnect-banner")).ToBeHiddenAsync(
            new LocatorAssertionsToBeHiddenOptions { Timeout = StepTimeoutMs });
        var seenStates = await pageAlice.EvaluateAsync<string[]>("() => window.seenStates").WaitAsync(TimeSpan.FromSeconds(15));
        seenStates.Should().Contain("reconnecting", "the page must show that it is reconnecting while it moves");
        await ExpectOnlineAsync(pageAlice, alice, bob);
        await ExpectOnlineAsync(pageBob, alice, bob);

        var afterMove = $"{alice} after the move";
        await SendToRoomAsync(pageAlice, afterMove);
        await ExpectMessageAsync(pageBob, "room", alice, afterMove);
        var reply = $"{bob} replies";
        await SendToRoomAsync(pageBob, reply);
        await ExpectMessageAsync(pageAlice, "room", bob, reply);

        // The cluster view polls through the gateway, which now sends it to the survivor as well.
        await Expect(InstanceRow(clusterView, stopped.InstanceName)).ToHaveCountAsync(0, CountOptions(MoveTimeoutMs));
        await Expect(InstanceRow(clusterView, survivor.InstanceName)).ToHaveCountAsync(1, CountOptions(StepTimeoutMs));
        await Expect(clusterView.GetByTestId("served-by")).ToHaveTextAsync(survivor.InstanceName, TextOptions());
        await Expect(clusterView.Locator($"tr[data-testid='room-row'][data-room='{room}'] td.number"))
            .ToHaveTextAsync("2", TextOptions());
    }


    private static ILocator InstanceRow(IPage page, string instanceName)
    {
        return page.Locator($"tr[data-testid='instance-row'][data-name='{instanceName}']");
    }

    private static LocatorAssertionsToHaveCountOptions CountOptions(float timeoutMs) => new() { Timeout = timeoutMs };
}
