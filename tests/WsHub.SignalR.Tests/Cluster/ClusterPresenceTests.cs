using FluentAssertions;
using Xunit.Abstractions;

namespace WsHub.SignalR.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterPresenceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Presence_ThreeInstances_MatchesConnectionsUsersAndGroups()
    {
        await using var cluster = await WsHubCluster.StartAsync(3, output);
        var (a, b, c) = (cluster.Servers[0], cluster.Servers[1], cluster.Servers[2]);
        var expected = new ExpectedPresence();
        foreach (var server in cluster.Servers)
        {
            expected.AddInstance(server);
        }

        // user-1 has connections on two instances, and one connection has no user.
        var a1 = await ConnectAsync(cluster, expected, a, "user-1");
        var a2 = await ConnectAsync(cluster, expected, a, "user-1");
        var a3 = await ConnectAsync(cluster, expected, a, "user-2");
        var b1 = await ConnectAsync(cluster, expected, b, "user-1");
        var b2 = await ConnectAsync(cluster, expected, b, "user-3");
        var c1 = await ConnectAsync(cluster, expected, c, "user-4");
        var c2 = await ConnectAsync(cluster, expected, c, user: null);

        await JoinAsync(expected, a1, "red");
        await JoinAsync(expected, b1, "red");
        await JoinAsync(expected, c1, "blue");
        await JoinAsync(expected, a3, "blue");

        // Group changes for connections on other instances go through the holder's channel.
        await a2.AddToGroupAsync(b2.ConnectionId, "red");
        expected.Join(b2, "red");
        await a2.AddToGroupAsync(c2.ConnectionId, "green");
        expected.Join(c2, "green");
        await c1.AddToGroupAsync(a1.ConnectionId, "green");
        expected.Join(a1, "green");

        // Enough members for the group walk to take several SSCAN pages of ten.
        var crowd = new List<ClusterClient>();
        for (var i = 0; i < 24; i++)
        {
            var crowdClient = await ConnectAsync(cluster, expected, cluster.Servers[i % 3], $"crowd-{i}");
            await JoinAsync(expected, crowdClient, "crowd");
            crowd.Add(crowdClient);
        }

        await c1.AddToGroupAsync(a2.ConnectionId, "crowd");
        expected.Join(a2, "crowd");

        await AssertPresenceOnEveryInstanceAsync(cluster, expected);
        var crowdGroup = await a.GetGroupAsync("crowd").WaitAsync(SettleTimeout);
        crowdGroup.Pages.Should().BeGreaterThan(1, "25 members at a page size of 10 need several SSCAN calls");

        // Disconnects, a local leave and a remote removal.
        await cluster.DisconnectAsync(a2);
        expected.Disconnect(a2);
        await cluster.DisconnectAsync(b2);
        expected.Disconnect(b2);
        await cluster.DisconnectAsync(c2);
        expected.Disconnect(c2);
        await cluster.DisconnectAsync(crowd[0]);
        expected.Disconnect(crowd[0]);
        await b1.LeaveGroupAsync("red");
        expected.Leave(b1, "red");
        await c1.RemoveFromGroupAsync(a1.ConnectionId, "green");
        expected.Leave(a1, "green");
        await a1.RemoveFromGroupAsync(crowd[1].ConnectionId, "crowd");
        expected.Leave(crowd[1], "crowd");

        await AssertPresenceOnEveryInstanceAsync(cluster, expected);
    }

    private static async Task<ClusterClient> ConnectAsync(
        WsHubCluster cluster,
        ExpectedPresence expected,
        TestServerProcess server,
        string? user)
    {
        var client = await cluster.ConnectAsync(server, user);
        expected.Connect(client, server);
        return client;
    }

    private static async Task JoinAsync(ExpectedPresence expected, ClusterClient client, string groupName)
    {
        await client.JoinGroupAsync(groupName);
        expected.Join(client, groupName);
    }

    private static async Task AssertPresenceOnEveryInstanceAsync(WsHubCluster cluster, ExpectedPresence expected)
    {
        var expectedLines = expected.Lines();
        foreach (var server in cluster.Servers)
        {
            // Connection counts of instances follow at the next heartbeat, so the read repeats until it settles.
            var actual = await Poll.UntilAsync(
                () => PresenceReader.ReadLinesAsync(server, expected),
                lines => lines.SequenceEqual(expectedLines),
                SettleTimeout);

            actual.Should().Equal(expectedLines, $"presence read through instance {server.Name} must match the clients");
        }
    }
}
