using System.Diagnostics;
using FluentAssertions;
using Xunit.Abstractions;

namespace WsHub.SignalR.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_InstanceWithGroups_SurvivorRemovesIt()
    {
        await using var cluster = await WsHubCluster.StartAsync(2, output);
        var (a, b) = (cluster.Servers[0], cluster.Servers[1]);
        var expected = new ExpectedPresence();
        var doomed = new List<ClusterClient>();
        for (var i = 0; i < 6; i++)
        {
            // Two connections per user on the instance that dies, and one user with a connection on each instance.
            var client = await cluster.ConnectAsync(a, $"user-a-{i / 2}");
            expected.Connect(client, a);
            doomed.Add(client);
            await client.JoinGroupAsync("shared");
            expected.Join(client, "shared");
            await client.JoinGroupAsync($"room-{i % 3}");
            expected.Join(client, $"room-{i % 3}");
        }

        for (var i = 0; i < 3; i++)
        {
            var client = await cluster.ConnectAsync(b, i == 0 ? "user-a-0" : $"user-b-{i}");
            expected.Connect(client, b);
            await client.JoinGroupAsync("shared");
            expected.Join(client, "shared");
        }

        // The group command reaches the doomed instance, so the membership is its record, not the caller's.
        var bCaller = await cluster.ConnectAsync(b, "user-b-caller");
        expected.Connect(bCaller, b);
        await bCaller.AddToGroupAsync(doomed[0].ConnectionId, "remote-room");
        expected.Join(doomed[0], "remote-room");

        var before = await Poll.UntilAsync(
            () => PresenceReader.ReadLinesAsync(b, expected),
            lines => lines.SequenceEqual(expected.Lines()),
            TimeSpan.FromSeconds(10));
        before.Should().Equal(expected.Lines(), "presence must list the doomed instance's connections before the kill");
        var doomedKeys = KeysNaming(await cluster.Redis.KeysAsync(cluster.Prefix), a.InstanceId, doomed);
        doomedKeys.Should().NotBeEmpty("the doomed instance and its connections own keys before the kill");

        var stopwatch = Stopwatch.StartNew();
        await a.KillAsync();
        expected.RemoveInstance(a);
        var expectedLines = expected.Lines();

        var after = await Poll.UntilAsync(
            () => PresenceReader.ReadLinesAsync(b, expected),
            lines => lines.SequenceEqual(expectedLines),
            cluster.Timings.DeadInstanceRemoval * 2);
        var elapsed = stopwatch.Elapsed;
        var leftoverKeys = KeysNaming(await cluster.Redis.KeysAsync(cluster.Prefix), a.InstanceId, doomed);

        after.Should().Equal(expectedLines, "the survivor must forget the killed instance's connections, users and groups");
        elapsed.Should().BeLessThanOrEqualTo(
            cluster.Timings.DeadInstanceRemoval,
            "a dead instance is removed within the instance timeout plus a few heartbeats");
        string.Join(", ", leftoverKeys).Should().BeEmpty("no key may name the killed instance or one of its connections");
    }

    [Fact]
    public async Task Kill_SurvivorWithoutConnections_RemovesDeadInstanceKeys()
    {
        await using var cluster = await WsHubCluster.StartAsync(2, output);
        var a = cluster.Servers[0];
        var doomed = new List<ClusterClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = await cluster.ConnectAsync(a, $"user-{i}");
            await client.JoinGroupAsync("room");
            doomed.Add(client);
        }

        var allKeysBefore = await cluster.Redis.KeysAsync(cluster.Prefix);
        output.WriteLine($"Keys before the kill: {string.Join(", ", allKeysBefore.Order(StringComparer.Ordinal))}");
        var keysBefore = KeysNaming(allKeysBefore, a.InstanceId, doomed);
        keysBefore.Should().NotBeEmpty("the doomed instance and its connections own keys before the kill");

        // B has no connections and gets no presence calls, so only its own heartbeat can find A dead.
        await a.KillAsync();
        var leftoverKeys = await Poll.UntilAsync(
            async () => KeysNaming(await cluster.Redis.KeysAsync(cluster.Prefix), a.InstanceId, doomed),
            keys => keys.Count == 0,
            cluster.Timings.DeadInstanceRemoval * 2);
        var allKeysAfter = await cluster.Redis.KeysAsync(cluster.Prefix);
        output.WriteLine($"Keys after the kill: {string.Join(", ", allKeysAfter.Order(StringComparer.Ordinal))}");

        string.Join(", ", leftoverKeys).Should().BeEmpty("a running instance must remove a dead one even while it has no connections");
    }

    private static List<string> KeysNaming(IEnumerable<string> keys, string instanceId, IEnumerable<ClusterClient> clients)
    {
        var names = clients.Select(client => client.ConnectionId).Append(instanceId).ToList();
        return [.. keys.Where(key => names.Exists(name => key.Contains(name, StringComparison.Ordinal)))];
    }
}
