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
public sealed class GatewayFailoverBrowserTests : IAsyncLifetime
{
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
    public async Task Gateway_ServingInstanceStops_PageMovesToOther()
    {
        var cluster = _cluster!;
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var room = $"failover-{_suffix}";

        // Separate contexts have separate cookie jars, so each page gets its own affinity cookie, and the gateway
        // hands new browsers to the instances in turn.
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

        var clusterView = await (await _browser.NewContextAsync(StepTimeoutMs)).NewPageAsync().WaitAsync(TimeSpan.FromSeconds(15));
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

    private static async Task<string> ServingInstanceAsync(IPage page)
    {
        var name = page.GetByTestId("instance-name");
        await Expect(name).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^instance-[ab]$"), TextOptions());
        return (await name.TextContentAsync().WaitAsync(TimeSpan.FromSeconds(15)))!;
    }

    private static ILocator InstanceRow(IPage page, string instanceName)
    {
        return page.Locator($"tr[data-testid='instance-row'][data-name='{instanceName}']");
    }

    private static LocatorAssertionsToHaveCountOptions CountOptions(float timeoutMs) => new() { Timeout = timeoutMs };
}
