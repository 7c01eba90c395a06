using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// The outage buffer keeps remote messages while Redis is down, up to its count, byte and age bounds; past a bound a
/// send fails, the drop is counted and the health check reports it.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class OutageBufferTests
{
    private const string GroupName = "room";
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task SendGroupAsync_CountBoundReached_ThrowsCountsAndReportsUnhealthy()
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
            await memberOnB.ExpectMessageAsync($"buffered {number}");
        }

        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Healthy, Timeout);
        memberOnA.DrainReceived().Select(message => message.Text).Should().Equal(
            ["buffered 1", "buffered 2", "buffered 3", "buffered 4", "buffered 5"],
            "the local member receives every accepted message at once and not the rejected one");
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
        var sender = cluster.A.LifetimeManager;
        var text = new string('x', 4_000);
        await sender.SendAllAsync(TestHub.MessageMethod, [text + "1"]).WaitAsync(Timeout);
        await sender.SendAllAsync(TestHub.MessageMethod, [text + "2"]).WaitAsync(Timeout);

        // Two messages of about 4 KB in each of two protocols, or the third in any form, exceed 10,000 bytes.
        Exception? rejection = null;
        for (var number = 3; number <= 6 && rejection is null; number++)
        {
            try
            {
                await sender.SendAllAsync(TestHub.MessageMethod, [text + number]).WaitAsync(Timeout);
            }
            catch (InvalidOperationException ex)
            {
                rejection = ex;
            }
        }

        rejection.Should().NotBeNull("a send past OutageBufferMaxBytes (10,000 bytes) fails");
        rejection!.Message.Should().Contain("outage buffer");
        metrics.Sum("wshub.messages.dropped", "reason", "buffer_full").Should().BeGreaterThanOrEqualTo(1, "recorded: {0}", metrics.Describe());

        await redis.RestartAsync();
        (await memberOnB.ReadAsync()).Text.Should().Be(text + "1");
        (await memberOnB.ReadAsync()).Text.Should().Be(text + "2");
    }

    [Fact]
    public async Task SendGroupAsync_MessageOlderThanMaxAge_ExpiresAndIsNotDelivered()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await StartClusterAsync(redis, options => options.OutageBufferMaxAge = TimeSpan.FromSeconds(1));
        using var metrics = new MetricRecorder(cluster.A.Services);
        var memberOnB = await JoinAsync(cluster, cluster.B);

        await redis.KillAsync();
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Degraded, Timeout);
        await cluster.A.LifetimeManager.SendGroupAsync(GroupName, TestHub.MessageMethod, ["expired"]).WaitAsync(Timeout);
        await Poll.WaitUntilAsync(
            () => metrics.Sum("wshub.messages.dropped", "reason", "buffer_expired") >= 1,
            Timeout,
            "the buffered message is dropped with reason buffer_expired after OutageBufferMaxAge (1 s)");

        await redis.RestartAsync();
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Healthy, Timeout);
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
