using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// An instance that stops while Redis is unreachable still sends its clients the close message that lets them reconnect
/// elsewhere, because the drain does not depend on Redis.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class OutageDrainTests
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task Stop_RedisUnreachable_ClosesClientsForReconnect()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) => options.ConfigureServices = services => services.AddHealthChecks().AddWsHub());
        var client = await cluster.ConnectAsync(cluster.B);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.Closed += exception =>
        {
            closed.TrySetResult(exception);
            return Task.CompletedTask;
        };

        await redis.KillAsync();
        await Backplane.WaitForHealthAsync(cluster.B, HealthStatus.Degraded, Timeout);
        var stop = cluster.B.DisposeAsync().AsTask();

        var exception = await closed.Task.WaitAsync(Timeout);
        exception.Should().BeOfType<HubException>("the server sent a close message instead of dropping the connection");
        exception!.Message.Should().Contain("reconnect to another instance");
        await stop.WaitAsync(Timeout);
    }
}
