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

        // Closing the stalled socket frees the writes that waited on it, so let them drain before the next round.
        var counter = new DeliveryCounter();
        audience.Sink = counter;
        await counter.WaitForQuietAsync(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10), context.CancellationToken);
        audience.Sink = null;
    }

    private const int FillMessageBytes = 16 * 1024;
    private const int FillBytesPerSecond = 2 * 1024 * 1024;

    private static async Task<double[]> MeasureGroupAsync(
        FigureContext context,
        GroupAudience audience,
        HubConnection sender,
        string group,
        long firstSequence)
    {
        await FillAsync(context, sender, group);

        // The members must finish reading the filler first, or the measurement would time their backlog.
        var counter = new DeliveryCounter();
        audience.Sink = counter;
        await counter.WaitForQuietAsync(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(30), context.CancellationToken);

        return await PacedLatency.MeasureAsync(context, audience, sender, _ => group, r => audience.GroupOf(r) == 0, firstSequence);
    }

    /// <summary>
    /// Sends large filler messages with SendAsync at 2 MiB/s, so that a stalled member's socket and pipe buffers
    /// are full before the measurement while the reading members keep up. The run without a stalled member gets
    /// the same filler, so both measure the same traffic.
    /// </summary>
    private static async Task FillAsync(FigureContext context, HubConnection sender, string group)
    {
        var filler = new byte[FillMessageBytes];
        var count = context.Options.StallFillKibibytes * 1024L / FillMessageBytes;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (long i = 0; i < count; i++)
        {
            // An unpaced burst left reading members more than 1 MiB behind on a 2-core machine.
            var due = TimeSpan.FromSeconds(i * (double)FillMessageBytes / FillBytesPerSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, context.CancellationToken);
            }

            await sender.SendAsync("Publish", group, System.Diagnostics.Stopwatch.GetTimestamp(), -1 - i, filler, context.CancellationToken)
                .WaitAsync(ClientFactory.OperationTimeout, context.CancellationToken);
        }
    }
}
