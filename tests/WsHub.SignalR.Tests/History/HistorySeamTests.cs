using System.Diagnostics;
using System.Globalization;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.SignalR.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// The seam between replay and live delivery while a sender keeps sending about 1000 messages a second.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HistorySeamTests(RedisFixture fixture, ITestOutputHelper output)
{
    private const int Reconnects = 20;
    private const int MessagesPerConnection = 100;
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task AddToGroupAsync_ManyReconnectsUnderLoad_NoGapNoDuplicate()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, options => options.HistoryMaxLength = 100_000);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        using var stopSending = new CancellationTokenSource();
        var sender = Task.Run(() => SendUntilStoppedAsync(cluster, group, stopSending.Token));

        var received = new List<int>();
        var rounds = new List<string>();
        ResumableClient? previous = null;
        for (var round = 0; round <= Reconnects; round++)
        {
            // Even rounds lose the previous connection before reconnecting. Odd rounds reconnect while it is still
            // open, as a client does when its network broke silently, so the new connection takes over.
            if (previous is not null && round % 2 == 0)
            {
                await previous.LoseConnectionAsync();
                await RetireAsync(previous, received);
                previous = null;
            }

            var client = await ResumableClient.ConnectAsync(round % 2 == 0 ? cluster.B : cluster.A, key);
            await client.JoinAsync(group);
            if (previous is not null)
            {
                await Poll.WaitUntilAsync(
                    () => previous.Client.Connection.State == HubConnectionState.Disconnected,
                    Timeout,
                    "the new connection with the same resume key took over from the old one");
                await RetireAsync(previous, received);
            }

            for (var i = 0; i < MessagesPerConnection; i++)
            {
                received.Add(await client.ReadNumberAsync());
            }

            client.RecoveryFailures.Should().BeEmpty("round {0} resumed within the history window", round);
            rounds.Add(round.ToString(CultureInfo.InvariantCulture) + ":" + received[^1].ToString(CultureInfo.InvariantCulture));
            previous = client;
        }

        await stopSending.CancelAsync();
        var sent = await sender.WaitAsync(Timeout);
        var lastSent = sent - 1;
        while (received[^1] < lastSent)
        {
            received.Add(await previous!.ReadNumberAsync());
        }

        await previous!.DisposeAsync();
        var duplicates = received.Count - received.Distinct().Count();
        var expected = Enumerable.Range(received[0], lastSent - received[0] + 1).ToArray();
        var missing = expected.Except(received).ToArray();
        output.WriteLine("last number of each round: " + string.Join(", ", rounds));
        output.WriteLine("missing: " + string.Join(", ", missing));
        output.WriteLine($"sent {sent}, received {received.Count} from {received[0]} to {received[^1]}, "
            + $"gaps {missing.Length}, duplicates {duplicates}");

        duplicates.Should().Be(0);
        missing.Should().BeEmpty();
        received.Should().Equal(expected, "every message after the first join arrives once and in order");
    }

    [Fact]
    public async Task AddToGroupAsync_InstanceStopsUnderLoad_NoGapNoDuplicate()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, serverCount: 3);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        var first = await ResumableClient.ConnectAsync(cluster.B, key);
        await first.JoinAsync(group);
        using var stopSending = new CancellationTokenSource();
        var sender = Task.Run(() => SendUntilStoppedAsync(cluster, group, stopSending.Token));
        var received = new List<int>();
        for (var i = 0; i < MessagesPerConnection; i++)
        {
            received.Add(await first.ReadNumberAsync());
        }

        await cluster.B.DisposeAsync();
        await RetireAsync(first, received);
        await using var second = await ResumableClient.ConnectAsync(cluster.Servers[2], key);
        await second.JoinAsync(group);
        for (var i = 0; i < MessagesPerConnection; i++)
        {
            received.Add(await second.ReadNumberAsync());
        }

        await stopSending.CancelAsync();
        var sent = await sender.WaitAsync(Timeout);
        while (received[^1] < sent - 1)
        {
            received.Add(await second.ReadNumberAsync());
        }

        var expected = Enumerable.Range(received[0], sent - received[0]).ToArray();
        var missing = expected.Except(received).ToArray();
        output.WriteLine("missing: " + string.Join(", ", missing));
        var duplicates = received.Count - received.Distinct().Count();
        output.WriteLine($"sent {sent}, received {received.Count}, gaps {missing.Length}, duplicates {duplicates}");

        second.RecoveryFailures.Should().BeEmpty();
        received.Should().Equal(expected, "the drain stores where each connection stopped");
    }

    /// <summary>Sends numbered messages at about 1000 a second, in order, and returns how many it sent.</summary>
    private async Task<int> SendUntilStoppedAsync(TestCluster cluster, string group, CancellationToken stop)
    {
        var sent = 0;
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            var due = (int)clock.ElapsedMilliseconds;
            while (sent < due)
            {
                var arguments = HistoryTestCluster.Args(sent);
                await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, arguments, CancellationToken.None)
                    .WaitAsync(Timeout, CancellationToken.None);
                sent++;
            }

            await Task.Delay(5, CancellationToken.None);
        }

        output.WriteLine($"sent {sent} in {clock.ElapsedMilliseconds} ms");
        return sent;
    }

    /// <summary>Adds what a disconnected client received after its last read, and disposes it.</summary>
    private static async Task RetireAsync(ResumableClient client, List<int> received)
    {
        await client.DisposeAsync();
        received.AddRange(client.Client.DrainReceived().Select(message => int.Parse(message.Text, CultureInfo.InvariantCulture)));
    }
}
