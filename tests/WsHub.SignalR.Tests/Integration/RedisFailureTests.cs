using System.Diagnostics;
using FluentAssertions;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// Cross-server delivery while Redis restarts or hangs. Each test starts a Redis server of its own because it breaks it.
/// </summary>
public sealed class RedisFailureTests
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;
    private static readonly TimeSpan OperationTimeout = new WsHubOptions().OperationTimeout;

    // Fast heartbeats, so that the registry is rebuilt soon after Redis comes back empty.
    private static readonly Action<int, BackplaneServerOptions> FastHeartbeat = (_, options) =>
        options.ConfigureBackplane = backplane =>
        {
            backplane.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
            backplane.InstanceTimeout = TimeSpan.FromSeconds(3);
        };

    [Fact]
    public async Task RestartAsync_RedisComesBackEmpty_CrossServerDeliveryResumes()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(redis, serverCount: 2, FastHeartbeat);
        var memberOnB = await cluster.ConnectAsync(cluster.B, userId: "alice");
        await cluster.B.LifetimeManager.AddToGroupAsync(memberOnB.ConnectionId, "room").WaitAsync(Timeout);

        await redis.RestartAsync();

        var manager = cluster.A.LifetimeManager;
        await WaitForDeliveryAsync(memberOnB, "all", () => manager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("all")));
        await WaitForDeliveryAsync(memberOnB, "group", () => manager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("group")));
        await WaitForDeliveryAsync(
            memberOnB,
            "connection",
            () => manager.SendConnectionAsync(memberOnB.ConnectionId, TestHub.MessageMethod, Delivery.Args("connection")));
        await WaitForDeliveryAsync(memberOnB, "user", () => manager.SendUserAsync("alice", TestHub.MessageMethod, Delivery.Args("user")));
    }

    [Fact]
    public async Task SendAllAsync_RedisPausedThenResumed_DoesNotHangAndDeliveryResumes()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(redis, serverCount: 2, FastHeartbeat);
        var onB = await cluster.ConnectAsync(cluster.B);
        var onA = await cluster.ConnectAsync(cluster.A);

        redis.Pause();
        try
        {
            // While Redis hangs a send may fail or complete, but it must not block its caller for longer than the
            // operation timeout plus the StackExchange.Redis timeout.
            var send = cluster.A.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("paused"));
            var first = await Task.WhenAny(send, Task.Delay(Timeout));
            first.Should().BeSameAs(send, "a send must not hang while Redis does not reply");
            await onA.ExpectMessageAsync("paused");
        }
        finally
        {
            redis.Resume();
        }

        var manager = cluster.A.LifetimeManager;
        await WaitForDeliveryAsync(onB, "resumed", () => manager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("resumed")));
    }

    [Fact]
    public async Task OnConnectedAsync_RedisDown_LocalConnectionStillWorks()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(redis, serverCount: 2, FastHeartbeat);
        var onA = await cluster.ConnectAsync(cluster.A);

        await redis.KillAsync();
        var connecting = Stopwatch.StartNew();
        var lateComer = await cluster.ConnectAsync(cluster.A, ClientProtocol.MessagePack);
        var connectTime = connecting.Elapsed;
        await cluster.A.LifetimeManager.SendConnectionAsync(lateComer.ConnectionId, TestHub.MessageMethod, Delivery.Args("local"))
            .WaitAsync(Timeout);
        var joining = Stopwatch.StartNew();
        var join = cluster.A.LifetimeManager.AddToGroupAsync(lateComer.ConnectionId, "room");
        var first = await Task.WhenAny(join, Task.Delay(Timeout));
        var joinTime = joining.Elapsed;

        await lateComer.ExpectMessageAsync("local");
        onA.DrainReceived().Should().BeEmpty();
        // NOTE: with Redis down, connecting and joining each take about OperationTimeout (5 s by default), because the
        // registry update waits for Redis. The bounds below only check that neither hangs.
        connectTime.Should().BeLessThan(OperationTimeout + TimeSpan.FromSeconds(2));
        first.Should().BeSameAs(join, "a group join must not hang while Redis is down");
        joinTime.Should().BeLessThan(OperationTimeout + TimeSpan.FromSeconds(2));
    }

    /// <summary>
    /// Sends through <paramref name="send"/> again and again until the client receives <paramref name="text"/>,
    /// because the first sends after a Redis failure may be lost while the backplane reconnects.
    /// </summary>
    private static async Task WaitForDeliveryAsync(TestClient client, string text, Func<Task> send)
    {
        var received = false;
        await Poll.WaitUntilAsync(
            async () =>
            {
                try
                {
                    await send().WaitAsync(Timeout);
                }
                catch (Exception)
                {
                    // A send may fail while the backplane reconnects; the next poll sends again.
                }

                received |= client.DrainReceived().Any(message => message.Text == text);
                return received;
            },
            TimeSpan.FromSeconds(20),
            $"client {client.ConnectionId} receives '{text}' after the Redis failure");
    }
}
