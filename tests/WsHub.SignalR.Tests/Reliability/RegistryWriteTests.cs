using FluentAssertions;
using StackExchange.Redis;
using WsHub.SignalR.Internal;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// A connect and a group change complete only once the registry in Redis lists them, so that any other instance
/// routes a send to them right away. Redis holds back every write for a moment (<c>CLIENT PAUSE WRITE</c>) while
/// the calls run. A call that did not wait for its registry write would complete before the registry lists it.
/// The checks read Redis on the test's own connection, because a read queued behind a held-back write of a server's
/// connection would wait for that write and hide the difference.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class RegistryWriteTests
{
    private const string GroupName = "room";
    private const string UserId = "late-writer";
    private const string PauseMilliseconds = "2000";
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task ConnectAndJoin_WritesHeldBack_ListedOnCompletion()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(redis);
        var names = new RedisNames(cluster.ChannelPrefix, typeof(TestHub).FullName!);

        // The first connection of a process takes long enough to outlast the pause, so it comes before it.
        await cluster.ConnectAsync(cluster.B);

        await redis.ExecuteAsync("CLIENT", "PAUSE", PauseMilliseconds, "WRITE");
        var client = await cluster.ConnectAsync(cluster.B, userId: UserId);

        ((string?)await redis.ExecuteAsync("HGET", names.Connections.ToString(), client.ConnectionId)).Should().Be(
            Backplane.Manager(cluster.B).InstanceId,
            "the connect completed, so the registry lists the connection for every instance");
        (await ReadSetAsync(redis, names.User(UserId))).Should().Equal([client.ConnectionId], "the registry lists the user's connection");

        await redis.ExecuteAsync("CLIENT", "PAUSE", PauseMilliseconds, "WRITE");
        await cluster.B.LifetimeManager.AddToGroupAsync(client.ConnectionId, GroupName).WaitAsync(Timeout);

        (await ReadSetAsync(redis, names.ConnectionGroups(client.ConnectionId))).Should().Equal(
            [GroupName],
            "the join completed, so the registry lists the membership for every instance");

        await redis.ExecuteAsync("CLIENT", "PAUSE", PauseMilliseconds, "WRITE");
        await cluster.B.LifetimeManager.RemoveFromGroupAsync(client.ConnectionId, GroupName).WaitAsync(Timeout);

        (await ReadSetAsync(redis, names.ConnectionGroups(client.ConnectionId))).Should().BeEmpty(
            "the leave completed, so the registry no longer lists the membership");
    }

    private static async Task<string[]> ReadSetAsync(RedisServer redis, RedisKey key)
    {
        var members = (RedisResult[])(await redis.ExecuteAsync("SMEMBERS", key.ToString()))!;
        return [.. members.Select(member => (string)member!)];
    }
}
