using FluentAssertions;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// Repeated kills of the Redis subscription connections leave every channel the servers need subscribed.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SubscriptionKillTests
{
    private const string GroupName = "room";
    private const int KillCount = 50;
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task Subscriptions_PubSubKilled50Times_AllResubscribed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) => options.ConfigureBackplane = backplane =>
            {
                Backplane.UseFastHeartbeat(backplane);

                // StackExchange.Redis reconnects on its heartbeat (1 s by default); a short one keeps 50 cycles fast.
                backplane.Configuration.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
            });
        var onA = await cluster.ConnectAsync(cluster.A, userId: "alice");
        var onB = await cluster.ConnectAsync(cluster.B, userId: "bob");
        await cluster.A.LifetimeManager.AddToGroupAsync(onA.ConnectionId, GroupName).WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);
        var expected = new Dictionary<string, long>
        {
            [Backplane.AllChannel(cluster.A)] = 2,
            [Backplane.GroupChannel(cluster.A, GroupName)] = 2,
            [Backplane.InstanceChannel(cluster.A)] = 1,
            [Backplane.InstanceChannel(cluster.B)] = 1,
        };
        await WaitForSubscribersAsync(redis, expected, "before the kills");

        // Each round waits until every subscription connection is back, with at least one channel, and kills them
        // all again, so kills also hit connections that are still resubscribing to the rest of their channels.
        var connectionCount = await CountPubSubClientsAsync(redis);
        var killedPerRound = new List<long>();
        for (var round = 0; round < KillCount; round++)
        {
            await Poll.WaitUntilAsync(
                async () => await CountPubSubClientsAsync(redis) >= connectionCount,
                Timeout,
                $"the {connectionCount} subscription connections are back before kill {round + 1}");
            killedPerRound.Add((long)await redis.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        }

        killedPerRound.Should().OnlyContain(
            killed => killed >= 1,
            "every round kills at least one subscription connection; killed per round: {0}",
            string.Join(",", killedPerRound));
        await WaitForSubscribersAsync(redis, expected, $"after {KillCount} kills");

        var sender = cluster.A.LifetimeManager;
        await sender.SendGroupAsync(GroupName, TestHub.MessageMethod, ["group"]).WaitAsync(Timeout);
        await Integration.Delivery.ExpectEachOnceAsync("group", onA, onB);
        await sender.SendConnectionAsync(onB.ConnectionId, TestHub.MessageMethod, ["connection"]).WaitAsync(Timeout);
        await Integration.Delivery.ExpectEachOnceAsync("connection", onB);
        await cluster.B.LifetimeManager.SendUserAsync("alice", TestHub.MessageMethod, ["user"]).WaitAsync(Timeout);
        await Integration.Delivery.ExpectEachOnceAsync("user", onA);
        await sender.SendAllAsync(TestHub.MessageMethod, ["all"]).WaitAsync(Timeout);
        await Integration.Delivery.ExpectEachOnceAsync("all", onA, onB);
    }

    private static async Task<int> CountPubSubClientsAsync(RedisServer redis)
    {
        var list = (string?)await redis.ExecuteAsync("CLIENT", "LIST", "TYPE", "pubsub") ?? string.Empty;
        return list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    private static async Task WaitForSubscribersAsync(RedisServer redis, Dictionary<string, long> expected, string when)
    {
        var actual = new Dictionary<string, long>();
        try
        {
            await Poll.WaitUntilAsync(
                async () =>
                {
                    foreach (var channel in expected.Keys)
                    {
                        actual[channel] = await redis.GetSubscriberCountAsync(channel);
                    }

                    return expected.All(pair => actual[pair.Key] == pair.Value);
                },
                TimeSpan.FromSeconds(15),
                $"every channel has its subscribers {when}");
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            var counts = string.Join(", ", expected.Select(pair => $"{pair.Key}: {actual.GetValueOrDefault(pair.Key)} of {pair.Value}"));
            throw new Xunit.Sdk.XunitException($"{ex.Message} PUBSUB NUMSUB: {counts}.");
        }
    }
}
