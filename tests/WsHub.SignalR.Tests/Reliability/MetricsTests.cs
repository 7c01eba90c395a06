using FluentAssertions;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// The <c>WsHub.SignalR</c> meter counts published, received and delivered messages and reports connections, groups
/// and subscribed channels.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class MetricsTests
{
    private const int MessageCount = 10;
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task Meter_GroupMessagesAcrossServers_Counted()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(redis, serverCount: 2);
        using var metricsA = new MetricRecorder(cluster.A.Services);
        using var metricsB = new MetricRecorder(cluster.B.Services);
        var onB1 = await cluster.ConnectAsync(cluster.B);
        var onB2 = await cluster.ConnectAsync(cluster.B);
        foreach (var client in new[] { onB1, onB2 })
        {
            await cluster.B.LifetimeManager.AddToGroupAsync(client.ConnectionId, "room").WaitAsync(Timeout);
        }

        await cluster.B.LifetimeManager.AddToGroupAsync(onB1.ConnectionId, "lobby").WaitAsync(Timeout);
        var baseline = (
            Published: metricsA.Sum("wshub.messages.published"),
            Received: metricsB.Sum("wshub.messages.received"),
            Delivered: metricsB.Sum("wshub.messages.delivered"),
            Durations: metricsA.Count("wshub.publish.duration"));

        for (var number = 0; number < MessageCount; number++)
        {
            await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, [$"m{number}"]).WaitAsync(Timeout);
        }

        for (var number = 0; number < MessageCount; number++)
        {
            await onB1.ExpectMessageAsync($"m{number}");
            await onB2.ExpectMessageAsync($"m{number}");
        }

        // A recorder bound to one app records only that app when the meter comes from the app's IMeterFactory.
        await Poll.WaitUntilAsync(
            () => metricsA.Sum("wshub.messages.published") - baseline.Published >= MessageCount
                && metricsB.Sum("wshub.messages.received") - baseline.Received >= MessageCount
                && metricsB.Sum("wshub.messages.delivered") - baseline.Delivered >= 2 * MessageCount
                && metricsA.Count("wshub.publish.duration") - baseline.Durations >= MessageCount,
            Timeout,
            $"the counters reach the sent messages (A: {metricsA.Describe()}; B: {metricsB.Describe()})");
        metricsA.Sum("wshub.messages.dropped").Should().Be(0, "nothing was dropped on A: {0}", metricsA.Describe());
        metricsB.Sum("wshub.messages.dropped").Should().Be(0, "nothing was dropped on B: {0}", metricsB.Describe());

        metricsB.Observe("wshub.connections").Should().BeGreaterThanOrEqualTo(2, "server B has two connections");
        metricsB.Observe("wshub.groups").Should().BeGreaterThanOrEqualTo(2, "server B has local members in two groups");
        metricsB.Observe("wshub.channels.subscribed").Should().BeGreaterThanOrEqualTo(
            4,
            "server B subscribes to the all channel, its instance channel and two group channels");
    }
}
