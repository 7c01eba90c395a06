using System.Diagnostics;
using System.Globalization;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// Group messages sent at a steady pace while Redis is killed and restarted reach every member exactly once, in
/// order, and members on the sending server keep receiving during the outage.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class OutageDeliveryTests
{
    private const string GroupName = "room";
    private const int MessageCount = 400;
    private const int KillAt = 100;
    private const int RestartAt = 250;
    private static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(20);

    // A local member must see a message this soon after the send while Redis is down.
    private static readonly TimeSpan LocalLatencyBound = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task SendGroupAsync_RedisKilledAndRestarted_DeliversOnceInOrder(int run)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) => options.ConfigureBackplane = Backplane.UseFastHeartbeat);
        var logs = new List<ArrivalLog>();
        foreach (var (server, name) in new[] { (cluster.A, "A1"), (cluster.A, "A2"), (cluster.B, "B1"), (cluster.B, "B2") })
        {
            var protocol = name.EndsWith('2') ? ClientProtocol.MessagePack : ClientProtocol.Json;
            var client = await cluster.ConnectAsync(server, protocol);
            logs.Add(ArrivalLog.Attach(client, name));
            await server.LifetimeManager.AddToGroupAsync(client.ConnectionId, GroupName).WaitAsync(TestTimeouts.Default);
        }

        var sender = cluster.A.LifetimeManager;
        var operationTimeout = new WsHubOptions().OperationTimeout;
        var sentAt = new long[MessageCount];
        long killedAt = 0;
        long restartStartedAt = 0;
        Task? restart = null;
        using var timer = new PeriodicTimer(SendInterval);
        for (var number = 0; number < MessageCount; number++)
        {
            if (number == KillAt)
            {
                await redis.KillAsync();
                killedAt = Stopwatch.GetTimestamp();
            }

            if (number == RestartAt)
            {
                restartStartedAt = Stopwatch.GetTimestamp();
                restart = redis.RestartAsync();
            }

            sentAt[number] = Stopwatch.GetTimestamp();
            var text = number.ToString(CultureInfo.InvariantCulture);
            await sender.SendGroupAsync(GroupName, TestHub.MessageMethod, [text])
                .WaitAsync(operationTimeout + TimeSpan.FromSeconds(1));
            await timer.WaitForNextTickAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }

        restart.Should().NotBeNull();
        await restart!.WaitAsync(TestTimeouts.Default);

        // A marker sent after Redis is back travels on the same channel, so any duplicate or late message of the
        // run arrives before it.
        var markerText = MessageCount.ToString(CultureInfo.InvariantCulture);
        await sender.SendGroupAsync(GroupName, TestHub.MessageMethod, [markerText]).WaitAsync(TestTimeouts.Default);
        await Poll.WaitUntilAsync(
            () => logs.All(log => log.Arrivals.Any(arrival => arrival.Number == MessageCount)),
            TimeSpan.FromSeconds(20),
            $"every member has the marker (run {run}; message counts {string.Join(", ", logs.Select(l => $"{l.Name}={l.Count}"))})");

        var expected = Enumerable.Range(0, MessageCount + 1).Select(number => (long)number).ToList();
        foreach (var log in logs)
        {
            log.Arrivals.Select(arrival => arrival.Number).Should().Equal(
                expected,
                "member {0} must receive each message exactly once and in send order (run {1}: {2})",
                log.Name,
                run,
                log.DescribeDifferences(MessageCount));
        }

        // Messages sent while Redis was down reached the members on the sending server at once.
        foreach (var log in logs.Where(log => log.Name.StartsWith('A')))
        {
            var duringOutage = log.Arrivals.Where(arrival => arrival.Number < RestartAt && sentAt[arrival.Number] > killedAt).ToList();
            duringOutage.Should().NotBeEmpty("messages were sent between the kill and the restart (run {0})", run);
            var latencies = duringOutage.Select(arrival => Stopwatch.GetElapsedTime(sentAt[arrival.Number], arrival.Timestamp)).ToList();
            latencies.Max().Should().BeLessThan(
                LocalLatencyBound,
                "local member {0} must keep receiving while Redis is down (run {1})",
                log.Name,
                run);
            duringOutage.Max(arrival => arrival.Timestamp).Should().BeLessThan(
                restartStartedAt,
                "local member {0} received the outage messages before Redis came back (run {1})",
                log.Name,
                run);
        }
    }

    [Fact]
    public async Task SendAllAsync_PeerNewerThanHeartbeat_ReceivesBuffer()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (index, options) =>
            {
                options.ConfigureServices = services => services.AddHealthChecks().AddWsHub();
                options.ConfigureBackplane = backplane =>
                {
                    // No heartbeat of A reads the registry after B registers, so A learns of B only from B's start
                    // announcement.
                    backplane.HeartbeatInterval = TimeSpan.FromSeconds(30);
                    backplane.InstanceTimeout = TimeSpan.FromSeconds(60);
                    if (index == 1)
                    {
                        // B reconnects seconds after A, so A sends its buffer too early unless it waits for B.
                        backplane.Configuration.ReconnectRetryPolicy = new LinearRetry(3_000);
                    }
                };
            });
        var memberOnB = await cluster.ConnectAsync(cluster.B);

        await redis.KillAsync();
        await Backplane.WaitForHealthAsync(cluster.A, HealthStatus.Degraded, TestTimeouts.Default);
        await cluster.A.LifetimeManager.SendAllAsync(TestHub.MessageMethod, ["buffered"]).WaitAsync(TestTimeouts.Default);
        await redis.RestartAsync();

        await memberOnB.ExpectMessageAsync("buffered", TestTimeouts.Recovery);
    }
}
