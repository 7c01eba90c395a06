using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// The <c>wshub</c> health check follows the Redis connection: Healthy while connected, Degraded while Redis is down
/// and messages are or can be buffered, and Healthy again once Redis is back and the buffer is empty.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class HealthCheckTests
{
    private const string GroupName = "room";
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task CheckHealthAsync_RedisKilledAndRestarted_FollowsConnection()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) =>
            {
                options.ConfigureBackplane = Backplane.UseFastHeartbeat;
                options.ConfigureServices = services => services.AddHealthChecks().AddWsHub();
            });
        var onB = await cluster.ConnectAsync(cluster.B);
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);

        var healthy = await Backplane.CheckHealthAsync(cluster.A);
        healthy.Status.Should().Be(HealthStatus.Healthy, "Redis is connected and nothing is buffered ('{0}')", healthy.Description);

        await redis.KillAsync();
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Degraded, Timeout);
        var idle = await Backplane.CheckHealthAsync(cluster.A);
        idle.Description.Should().NotBeNullOrWhiteSpace("the description says why the backplane is degraded");

        await cluster.A.LifetimeManager.SendGroupAsync(GroupName, TestHub.MessageMethod, ["buffered"]).WaitAsync(Timeout);
        var buffering = await Backplane.CheckHealthAsync(cluster.A);
        buffering.Status.Should().Be(HealthStatus.Degraded, "one message is buffered and the buffer has room ('{0}')", buffering.Description);

        await redis.RestartAsync();
        await onB.ExpectMessageAsync("buffered", TestTimeouts.Recovery);
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Healthy, TestTimeouts.Recovery);
        await Backplane.WaitForHealthAsync(cluster.B, HealthStatus.Healthy, TestTimeouts.Recovery);
    }

    [Fact]
    public async Task AddWsHub_WithoutBackplane_NotHealthy()
    {
        // The check is registered, but the app has no WsHub backplane, so there is nothing healthy to report.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddWsHub();
        await using var provider = services.BuildServiceProvider();
        var service = provider.GetRequiredService<HealthCheckService>();

        var report = await service.CheckHealthAsync().WaitAsync(Timeout);

        report.Entries.Should().ContainKey(Backplane.HealthCheckName);
        report.Entries[Backplane.HealthCheckName].Status.Should().NotBe(HealthStatus.Healthy);
    }
}
