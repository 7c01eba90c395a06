using FluentAssertions;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// The number of Redis channels depends on the groups and instances, never on the number of connections.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ChannelCountTests(RedisFixture fixture)
{
    private const int GroupCount = 5;

    // Channels per instance that are not group channels, such as an instance channel and a cluster-wide channel.
    // NOTE: the value is a bound chosen for the test, not a count documented by the library.
    private const int FixedChannelsPerInstance = 6;

    [Fact]
    public async Task PubSubChannels_ManyConnectionsInFewGroups_BoundedAndNotGrowing()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var pattern = cluster.ChannelPrefix + ":*";
        var bound = GroupCount + (cluster.Servers.Count * FixedChannelsPerInstance);

        await ConnectAndJoinAsync(cluster, 200);
        var firstCount = (await cluster.Redis.GetChannelsAsync(pattern)).Count;
        await ConnectAndJoinAsync(cluster, 200);
        var channels = await cluster.Redis.GetChannelsAsync(pattern);

        firstCount.Should().BeLessThanOrEqualTo(bound, "200 connections in {0} groups on 2 servers", GroupCount);
        channels.Should().HaveCount(
            firstCount,
            "200 more connections in the same groups need no new channels, but found {0}",
            string.Join(", ", channels));
    }

    private static async Task ConnectAndJoinAsync(TestCluster cluster, int count)
    {
        // Connect in batches, because 2 CPU cores cannot open hundreds of WebSockets at once within the timeouts.
        const int batchSize = 25;
        for (var start = 0; start < count; start += batchSize)
        {
            var batch = Enumerable.Range(start, batchSize).Select(async index =>
            {
                var server = cluster.Servers[index % cluster.Servers.Count];
                var protocol = index % 3 == 0 ? ClientProtocol.MessagePack : ClientProtocol.Json;
                var client = await cluster.ConnectAsync(server, protocol, "user" + (index % 50));
                await server.LifetimeManager.AddToGroupAsync(client.ConnectionId, "group" + (index % GroupCount));
            });
            await Task.WhenAll(batch).WaitAsync(TestTimeouts.Default);
        }
    }
}
