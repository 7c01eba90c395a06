using System.Diagnostics;
using FluentAssertions;
using Xunit.Abstractions;

namespace WsHub.SignalR.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterDrainTests(ITestOutputHelper output)
{
    private const int ClientCount = 200;

    [Fact]
    public async Task SigTerm_200Clients_ReconnectToOtherInstance()
    {
        await using var cluster = await WsHubCluster.StartAsync(2, output);
        var (a, b) = (cluster.Servers[0], cluster.Servers[1]);

        // Every client's first attempt goes to A and its next one to B, as behind a round-robin load balancer.
        var clients = new List<ClusterClient>();
        foreach (var chunk in Enumerable.Range(0, ClientCount).Chunk(20))
        {
            clients.AddRange(await Task.WhenAll(chunk.Select(i => cluster.ConnectWithRotationAsync([a, b], $"user-{i}"))));
        }

        var onA = await Poll.UntilAsync(
            () => b.GetInstancesAsync(),
            instances => instances.Any(instance => instance.InstanceId == a.InstanceId && instance.ConnectionCount == ClientCount),
            TimeSpan.FromSeconds(10));
        onA.Should().ContainSingle(instance => instance.InstanceId == a.InstanceId)
            .Which.ConnectionCount.Should().Be(ClientCount);

        var stopwatch = Stopwatch.StartNew();
        await a.TerminateAsync();

        // Right after SIGTERM the registry shows A as draining, or already gone once the drain ended.
        var duringDrain = await Poll.UntilAsync(
            () => b.GetInstancesAsync(),
            instances => !instances.Any(instance => instance.InstanceId == a.InstanceId && instance.State == WsHubInstanceState.Running),
            cluster.Timings.DrainTimeout);
        duringDrain.Should().NotContain(
            instance => instance.InstanceId == a.InstanceId && instance.State == WsHubInstanceState.Running,
            "a stopping instance must show as draining or be gone");

        var reconnects = Task.WhenAll(clients.Select(client => client.Reconnected));
        await reconnects.WaitAsync(cluster.Timings.DrainTimeout);
        var exited = await a.WaitForExitAsync(cluster.Timings.DrainTimeout - stopwatch.Elapsed);
        var stopElapsed = stopwatch.Elapsed;

        exited.Should().BeTrue($"SIGTERM must stop A within the drain timeout. Log:{Environment.NewLine}{a.FormatLog()}");
        a.ExitCode.Should().Be(0);
        stopElapsed.Should().BeLessThan(cluster.Timings.DrainTimeout);
        clients.Where(client => client.ClosedCount > 0).Select(client => client.Name).Should().BeEmpty("no client may close");

        var drainStarted = $"Instance {a.InstanceId} is draining {ClientCount} connections.";
        var drainCompleted = $"Instance {a.InstanceId} drained: closed {ClientCount} connections";
        a.LogLines.Should().Contain(line => line.Contains(drainStarted, StringComparison.Ordinal));
        a.LogLines.Should().Contain(line => line.Contains(drainCompleted, StringComparison.Ordinal)
            && line.Contains(", 0 remain.", StringComparison.Ordinal));

        // Every client is now served by B under a new connection id.
        var firstIds = clients.ToDictionary(client => client.User!, client => client.ConnectionId);
        await Task.WhenAll(clients.Select(client => client.RefreshConnectionIdAsync())).WaitAsync(TimeSpan.FromSeconds(20));
        clients.Where(client => client.ConnectionId == firstIds[client.User!]).Select(client => client.Name)
            .Should().BeEmpty("a reconnect makes a new connection");
        var holders = await Task.WhenAll(clients.Select(client => b.GetConnectionAsync(client.ConnectionId)))
            .WaitAsync(TimeSpan.FromSeconds(20));
        holders.Where(holder => holder.InstanceId != b.InstanceId).Select(holder => holder.ConnectionId)
            .Should().BeEmpty("presence must list every reconnected client on B");

        var users = await Task.WhenAll(clients.Select(client => b.GetUserAsync(client.User!))).WaitAsync(TimeSpan.FromSeconds(20));
        users.Where(user => user.ConnectionIds.Count != 1).Select(user => user.UserId)
            .Should().BeEmpty("the drained connection of each user must be gone and the new one listed");

        var afterDrain = await Poll.UntilAsync(
            () => b.GetInstancesAsync(),
            instances => instances.Count == 1 && instances[0].ConnectionCount == ClientCount,
            TimeSpan.FromSeconds(5));
        afterDrain.Should().ContainSingle().Which.Should().Match<WsHubInstanceInfo>(
            instance => instance.InstanceId == b.InstanceId && instance.ConnectionCount == ClientCount);
    }
}
