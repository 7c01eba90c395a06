using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;
using WsHub.Benchmarks.LoadTool.Results;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Figure 2: latency from send to receipt at a fixed rate, one sender, groups in turn, all members measured.
/// </summary>
internal static class LatencyFigure
{
    public static async Task RunRoundAsync(FigureContext context, GroupAudience audience, HubConnection sender, long firstSequence)
    {
        var options = context.Options;
        var groupCount = Math.Min(options.Groups, audience.Count);
        var sorted = await PacedLatency.MeasureAsync(
            context,
            audience,
            sender,
            n => audience.GroupName((int)(n % groupCount)),
            includeReceiver: null,
            firstSequence);

        context.Record(MetricCatalog.LatencyP50, Percentiles.Of(sorted, 50));
        context.Record(MetricCatalog.LatencyP99, Percentiles.Of(sorted, 99));
        context.Record(MetricCatalog.LatencyMax, sorted.Length == 0 ? double.NaN : sorted[^1]);
    }
}
