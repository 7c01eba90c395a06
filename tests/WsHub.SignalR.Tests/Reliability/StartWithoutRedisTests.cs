using FluentAssertions;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// Apps that start while Redis is unreachable work locally, and deliver across instances once Redis appears,
/// without a restart.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class StartWithoutRedisTests
{
    private const string GroupName = "room";
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task StartAsync_RedisAppearsLater_CrossServerDeliveryStarts()
    {
        // Start and kill a server to reserve a port that nothing listens on. RestartAsync later starts Redis there.
        await using var redis = await RedisServer.StartAsync();
        await redis.KillAsync();

        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) => options.ConfigureBackplane = Backplane.UseFastHeartbeat);
        var onA = await cluster.ConnectAsync(cluster.A);
        var onB = await cluster.ConnectAsync(cluster.B, userId: "bob");
        await cluster.A.LifetimeManager.AddToGroupAsync(onA.ConnectionId, GroupName).WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);

        await cluster.A.LifetimeManager.SendGroupAsync(GroupName, TestHub.MessageMethod, ["before"]).WaitAsync(Timeout);
        await onA.ExpectMessageAsync("before");

        await redis.RestartAsync();

        // Group, user and connection sends each reach the other server once the servers have connected.
        var sender = cluster.A.LifetimeManager;
        var receivedOnA = new List<string>();
        var receivedOnB = new List<string>();
        await WaitForDeliveryAsync(onB, receivedOnB, "group", text => sender.SendGroupAsync(GroupName, TestHub.MessageMethod, [text]));
        await WaitForDeliveryAsync(onB, receivedOnB, "user", text => sender.SendUserAsync("bob", TestHub.MessageMethod, [text]));
        await WaitForDeliveryAsync(onB, receivedOnB, "connection", text => sender.SendConnectionAsync(onB.ConnectionId, TestHub.MessageMethod, [text]));
        await WaitForDeliveryAsync(onA, receivedOnA, "all", text => cluster.B.LifetimeManager.SendAllAsync(TestHub.MessageMethod, [text]));

        // The buffer from before Redis appeared goes out once the registry has settled, to the instances that listen
        // by then. An instance that connects later misses it, so the message may be absent, but never doubled or late.
        var before = receivedOnB.Count(text => text == "before");
        before.Should().BeLessThanOrEqualTo(1, "a buffered message is sent once; received: {0}", string.Join(", ", receivedOnB));
        if (before == 1)
        {
            receivedOnB.First().Should().Be("before", "it was sent before every other message on the group channel");
        }
    }

    /// <summary>
    /// Sends numbered messages until the client receives one, because sends made before the servers have connected
    /// may be lost.
    /// </summary>
    private static Task WaitForDeliveryAsync(TestClient client, List<string> received, string label, Func<string, Task> send)
    {
        var attempt = 0;
        return Poll.WaitUntilAsync(
            async () =>
            {
                var text = $"{label} {attempt++}";
                try
                {
                    await send(text).WaitAsync(Timeout);
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or StackExchange.Redis.RedisException)
                {
                    // The backplane may still be connecting; the next poll sends again.
                }

                received.AddRange(client.DrainReceived().Select(message => message.Text));
                return received.Any(received => received.StartsWith(label + " ", StringComparison.Ordinal));
            },
            TimeSpan.FromSeconds(20),
            $"client {client.ConnectionId} receives a '{label}' message after Redis appeared");
    }
}
