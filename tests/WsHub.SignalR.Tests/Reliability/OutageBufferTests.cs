using System.Diagnostics;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// The outage buffer keeps remote messages while Redis is down, up to its count, byte and age bounds. Past a bound a
/// send fails, the drop is counted and the health check reports it.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class OutageBufferTests
{
    private const string GroupName = "room";
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task SendGroupAsync_BufferCountReached_Throws()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await StartClusterAsync(redis, options => options.OutageBufferMaxMessages = 5);
        using var metrics = new MetricRecorder(cluster.A.Services);
        var memberOnA = await JoinAsync(cluster, cluster.A);
        var memberOnB = await JoinAsync(cluster, cluster.B);

        await redis.KillAsync();
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Degraded, Timeout);
        var sender = cluster.A.LifetimeManager;
        for (var number = 1; number <= 5; number++)
        {
            await sender.SendGroupAsync(GroupName, TestHub.MessageMethod, [$"buffered {number}"]).WaitAsync(Timeout);
        }

        Func<Task> sixth = () => sender.SendGroupAsync(GroupName, TestHub.MessageMethod, ["rejected"]).WaitAsync(Timeout);

        var thrown = await sixth.Should().ThrowAsync<InvalidOperationException>();
        thrown.Which.Message.Should().Contain("outage buffer");
        metrics.Sum("wshub.messages.dropped", "reason", "buffer_full").Should().BeGreaterThanOrEqualTo(
            1,
            "the rejected send is counted as dropped with reason buffer_full; recorded: {0}",
            metrics.Describe());
        var health = await Backplane.CheckHealthAsync(cluster.A);
        health.Status.Should().Be(HealthStatus.Unhealthy, "the outage buffer is full ('{0}')", health.Description);
        health.Description.Should().NotBeNullOrWhiteSpace("the description says why the backplane is unhealthy");

        // The five buffered messages reach the remote member once Redis is back, and the rejected one never does.
        await redis.RestartAsync();
        for (var number = 1; number <= 5; number++)
        {
            await memberOnB.ExpectMessageAsync($"buffered {number}", TestTimeouts.Recovery);
        }

        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Healthy, TestTimeouts.Recovery);
        // The rejection covers other instances only: the exception states that the message was not sent to them, and
        // local targets keep receiving while Redis is down.
        memberOnA.DrainReceived().Select(message => message.Text).Should().Equal(
            ["buffered 1", "buffered 2", "buffered 3", "buffered 4", "buffered 5", "rejected"],
            "the local member receives every message at once, the one rejected for other instances too");
        await ExpectOnlyGroupMarkerAsync(cluster, memberOnB);
    }

    [Fact]
    public async Task SendAllAsync_ByteBoundReached_ThrowsAndCounts()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await StartClusterAsync(redis, options => options.OutageBufferMaxBytes = 10_000);
        using var metrics = new MetricRecorder(cluster.A.Services);
        var memberOnB = await JoinAsync(cluster, cluster.B);

        await redis.KillAsync();
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Degraded, Timeout);

        // Each message contains 2,000 characters, so a few fit in 10,000 bytes in any encoding and ten never do.
        var sender = cluster.A.LifetimeManager;
        var text = new string('x', 2_000);
        var accepted = new List<string>();
        InvalidOperationException? rejection = null;
        for (var number = 1; number <= 10 && rejection is null; number++)
        {
            try
            {
                await sender.SendAllAsync(TestHub.MessageMethod, [text + number]).WaitAsync(Timeout);
                accepted.Add(text + number);
            }
            catch (InvalidOperationException ex)
            {
                rejection = ex;
            }
        }

        rejection.Should().NotBeNull("ten messages of 2,000 characters exceed OutageBufferMaxBytes (10,000 bytes)");
        rejection!.Message.Should().Contain("outage buffer");
        accepted.Should().NotBeEmpty("one message of 2,000 characters fits in 10,000 bytes");
        metrics.Sum("wshub.messages.dropped", "reason", "buffer_full").Should().BeGreaterThanOrEqualTo(1, "recorded: {0}", metrics.Describe());

        // The accepted messages reach the remote member in order once Redis is back, and the rejected one never does.
        await redis.RestartAsync();
        foreach (var expected in accepted)
        {
            (await memberOnB.ReadAsync(TestTimeouts.Recovery)).Text.Should().Be(expected);
        }

        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Healthy, TestTimeouts.Recovery);
        await ExpectOnlyGroupMarkerAsync(cluster, memberOnB);
    }

    [Fact]
    public async Task SendGroupAsync_MessageOlderThanMaxAge_NotDelivered()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await StartClusterAsync(redis, options => options.OutageBufferMaxAge = TimeSpan.FromSeconds(1));
        using var metrics = new MetricRecorder(cluster.A.Services);
        var memberOnB = await JoinAsync(cluster, cluster.B);

        await redis.KillAsync();
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Degraded, Timeout);
        var buffered = Stopwatch.StartNew();
        await cluster.A.LifetimeManager.SendGroupAsync(GroupName, TestHub.MessageMethod, ["expired"]).WaitAsync(Timeout);

        // Redis comes back after the message is older than OutageBufferMaxAge (1 s).
        await Poll.WaitUntilAsync(() => buffered.Elapsed > TimeSpan.FromSeconds(1.5), Timeout, "the buffered message is 1.5 s old");
        await redis.RestartAsync();

        // Both servers are back before the marker, so that this test checks expiry and not the recovery order.
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Healthy, TestTimeouts.Recovery);
        await Backplane.WaitForHealthAsync(cluster.B, HealthStatus.Healthy, Timeout);

        // NOTE: the library counts an expired message when Redis is back, not when it expires.
        metrics.Sum("wshub.messages.dropped", "reason", "buffer_expired").Should().Be(
            1,
            "the message older than OutageBufferMaxAge is dropped and counted; recorded: {0}",
            metrics.Describe());
        await ExpectOnlyGroupMarkerAsync(cluster, memberOnB);
    }

    private static Task<TestCluster> StartClusterAsync(RedisServer redis, Action<WsHubOptions> configure) =>
        TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) =>
            {
                options.ConfigureBackplane = backplane =>
                {
                    Backplane.UseFastHeartbeat(backplane);
                    configure(backplane);
                };
                options.ConfigureServices = services => services.AddHealthChecks().AddWsHub();
            });

    /// <summary>
    /// Sends a marker to the group from server A and checks that it is the only message the member receives. The
    /// marker takes the group channel, which needs no registry entry, so it works while the registry is rebuilt.
    /// </summary>
    private static async Task ExpectOnlyGroupMarkerAsync(TestCluster cluster, TestClient member)
    {
        var marker = Integration.Delivery.MarkerText;
        await cluster.A.LifetimeManager.SendGroupAsync(GroupName, TestHub.MessageMethod, [marker]).WaitAsync(Timeout);
        await member.ExpectOnlyMarkerAsync(marker);
    }

    private static async Task<TestClient> JoinAsync(TestCluster cluster, BackplaneServer server)
    {
        var client = await cluster.ConnectAsync(server);
        await server.LifetimeManager.AddToGroupAsync(client.ConnectionId, GroupName).WaitAsync(Timeout);
        return client;
    }
}
