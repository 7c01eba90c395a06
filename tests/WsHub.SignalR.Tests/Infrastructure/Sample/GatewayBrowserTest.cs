using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static WsHub.SignalR.Tests.Infrastructure.Sample.ChatPageSteps;

namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// A browser test against the gateway that stops one of the instances, so each test class instance starts its own
/// Redis, instances, gateway and Chromium.
/// </summary>
public abstract class GatewayBrowserTest : IAsyncLifetime
{
    /// <summary>The time a page may take to move: the drain, the gateway's next probe and the page's reconnect.</summary>
    protected const float MoveTimeoutMs = 30_000;

    private GatewayCluster? _cluster;
    private SampleBrowser? _browser;

    /// <summary>A suffix that keeps user and room names of this test apart from other tests.</summary>
    protected string Suffix { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Redis, the two sample instances and the gateway.</summary>
    private protected GatewayCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    /// <summary>The Chromium browser.</summary>
    private protected SampleBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

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

    /// <summary>
    /// Opens alice and bob through the gateway in separate browser contexts, checks that they landed on different
    /// instances, and joins both to <paramref name="room"/>. Alice's instance is the one a test stops.
    /// </summary>
    private protected async Task<GatewayPagePair> OpenPagesInRoomAsync(string room)
    {
        var alice = $"alice-{Suffix}";
        var bob = $"bob-{Suffix}";

        // Separate contexts have separate cookie jars, so each page gets its own affinity cookie, and the gateway
        // hands new browsers to the instances in turn.
        var pageAlice = await OpenChatAsync(await Browser.NewContextAsync(StepTimeoutMs), Cluster.GatewayUrl, alice);
        var pageBob = await OpenChatAsync(await Browser.NewContextAsync(StepTimeoutMs), Cluster.GatewayUrl, bob);
        var aliceInstanceName = await ServingInstanceAsync(pageAlice);
        var bobInstanceName = await ServingInstanceAsync(pageBob);
        bobInstanceName.Should().NotBe(aliceInstanceName, "the gateway gives two new browsers different instances in turn");
        var stopped = Cluster.Instance(aliceInstanceName);

        await JoinRoomAsync(pageAlice, room);
        await JoinRoomAsync(pageBob, room);
        await ExpectOnlineAsync(pageAlice, alice, bob);
        return new GatewayPagePair(alice, bob, pageAlice, pageBob, stopped, Cluster.Other(stopped));
    }

    /// <summary>Returns the instance name the page shows, once it shows one of the two.</summary>
    protected static async Task<string> ServingInstanceAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);

        var name = page.GetByTestId("instance-name");
        await Expect(name).ToHaveTextAsync(new Regex("^instance-[ab]$"), TextOptions());
        return (await name.TextContentAsync().WaitAsync(TimeSpan.FromSeconds(15)))!;
    }
}
