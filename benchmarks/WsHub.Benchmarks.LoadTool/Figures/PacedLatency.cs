using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Sends at the fixed rate of the run with SendAsync for the warm-up plus the measured time, and records the
/// latencies of the messages due after the warm-up.
/// </summary>
internal static class PacedLatency
{
    /// <summary>
    /// Returns the latencies in milliseconds, sorted. A delivery that has not arrived when the members fall quiet
    /// counts with the time from the end of sending to then, a lower bound of its real latency.
    /// </summary>
    public static async Task<double[]> MeasureAsync(
        FigureContext context,
        GroupAudience audience,
        HubConnection sender,
        Func<long, string> groupOf,
        Func<int, bool>? includeReceiver,
        long firstSequence)
    {
        var options = context.Options;
        var warmupMessages = (long)(options.Rate * options.Warmup.TotalSeconds);
        var recorder = new LatencyRecorder(firstSequence + warmupMessages, includeReceiver);
        var counter = new DeliveryCounter();
        audience.Sink = new FanOutSink(recorder, counter);

        var result = await PacedSender.RunAsync(
                sender,
                groupOf,
                options.Rate,
                options.Warmup + options.Duration,
                context.Payload,
                firstSequence,
                invoke: false,
                context.CancellationToken)
            .WaitAsync((options.Warmup + options.Duration) * 3 + TimeSpan.FromSeconds(10), context.CancellationToken);
        var sendingEnded = Stopwatch.GetTimestamp();
        if (result.Failed > 0)
        {
            context.Log($"{result.Failed} of {result.Attempted} sends failed");
        }

        await counter.WaitForQuietAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(15), context.CancellationToken);
        audience.Sink = null;

        // Count the members each measured message was meant for, per group.
        var membersPerGroup = Enumerable.Range(0, audience.Count)
            .Where(r => includeReceiver is null || includeReceiver(r))
            .GroupBy(r => audience.GroupName(audience.GroupOf(r)))
            .ToDictionary(g => g.Key, g => g.Count());
        long expected = 0;
        for (var sequence = firstSequence + warmupMessages; sequence < firstSequence + result.Attempted; sequence++)
        {
            expected += membersPerGroup.GetValueOrDefault(groupOf(sequence));
        }

        var missing = expected - recorder.Count;
        if (missing > 0)
        {
            var waited = Stopwatch.GetElapsedTime(sendingEnded).TotalMilliseconds;
            context.Log($"{missing} of {expected} measured deliveries did not arrive; each counts as {waited:F0} ms");
            recorder.AddUndelivered(missing, waited);
        }

        return recorder.SortedMilliseconds();
    }
}
