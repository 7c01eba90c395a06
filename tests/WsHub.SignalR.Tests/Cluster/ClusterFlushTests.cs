using System.Diagnostics;
using FluentAssertions;
using Xunit.Abstractions;

namespace WsHub.SignalR.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterFlushTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FlushAll_ClientsInGroups_PresenceRestored()
    {
        await using var cluster = await WsHubCluster.StartAsync(2, output);
        var expected = new ExpectedPresence();
        for (var i = 0; i < 8; i++)
        {
            var server = cluster.Servers[i % 2];
            var client = await cluster.ConnectAsync(server, $"user-{i % 5}");
            expected.Connect(client, server);
            await client.JoinGroupAsync("everyone");
            expected.Join(client, "everyone");
            await client.JoinGroupAsync($"pair-{i / 2}");
            expected.Join(client, $"pair-{i / 2}");
        }

        var expectedLines = expected.Lines();
        var before = await Poll.UntilAsync(
            () => PresenceReader.ReadLinesAsync(cluster.Servers[0], expected),
            lines => lines.SequenceEqual(expectedLines),
            TimeSpan.FromSeconds(10));
        before.Should().Equal(expectedLines, "presence must be whole before the flush");

        await cluster.Redis.FlushAllAsync();
        var stopwatch = Stopwatch.StartNew();

        foreach (var server in cluster.Servers)
        {
            var after = await Poll.UntilAsync(
                () => PresenceReader.ReadLinesAsync(server, expected),
                lines => lines.SequenceEqual(expectedLines),
                TimeSpan.FromSeconds(10));
            after.Should().Equal(expectedLines, $"heartbeats must restore presence as read through instance {server.Name}");
        }

        // Each instance finds itself missing at its next heartbeat and writes its records back. One more heartbeat
        // refreshes the connection counts, and one is slack for a busy machine.
        stopwatch.Elapsed.Should().BeLessThanOrEqualTo(cluster.Timings.Heartbeat * 4);
    }
}
