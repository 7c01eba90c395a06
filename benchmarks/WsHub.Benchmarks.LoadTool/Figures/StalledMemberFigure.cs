using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;
using WsHub.Benchmarks.LoadTool.Processes;
using WsHub.Benchmarks.LoadTool.Results;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Figure 6: p99 of the members of one group at the fixed rate, without and then with one member that never reads.
/// The stalled member sits on the last instance, so that for scale-out backplanes it is not on the sender's instance.
/// </summary>
internal static class StalledMemberFigure
{
    public static async Task RunRoundAsync(
        FigureContext context,
        IReadOnlyList<ServerInstance> instances,
        GroupAudience audience,
        HubConnection sender,
        long firstSequence)
    {
        var group = audience.GroupName(0);
        var without = Percentiles.Of(await MeasureGroupAsync(context, audience, sender, group, firstSequence), 99);
        context.Record(MetricCatalog.StallP99Without, without);

        double with;
        using (var stalled = await StalledWebSocketClient.ConnectAndJoinAsync(instances[^1].HubUrl, group, context.CancellationToken))
        {
            with = Percentiles.Of(await MeasureGroupAsync(context, audience, sender, group, firstSequence + 10_000_000), 99);
        }

        context.Record(MetricCatalog.StallP99With, with);
        context.Record(MetricCatalog.StallRatio, with / without);

        // Closing the stalled socket frees the writes that waited on it; let them drain before the next round.
        var counter = new DeliveryCounter();
        audience.Sink = counter;
        await counter.WaitForQuietAsync(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10), context.CancellationToken);
        audience.Sink = null;
    }

    private static Task<double[]> MeasureGroupAsync(
        FigureContext context,
        GroupAudience audience,
        HubConnection sender,
        string group,
        long firstSequence)
    {
        var recorder = new LatencyRecorder(receiver => audience.GroupOf(receiver) == 0);
        return PacedLatency.MeasureAsync(context, audience, recorder, sender, _ => group, firstSequence);
    }
}
