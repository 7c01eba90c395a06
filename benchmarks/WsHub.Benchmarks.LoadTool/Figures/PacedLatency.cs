using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Sends at the fixed rate of the run with SendAsync and records the latencies that arrive after the warm-up.
/// </summary>
internal static class PacedLatency
{
    /// <summary>Returns the recorded latencies in milliseconds, sorted.</summary>
    public static async Task<double[]> MeasureAsync(
        FigureContext context,
        GroupAudience audience,
        LatencyRecorder recorder,
        HubConnection sender,
        Func<long, string> groupOf,
        long firstSequence)
    {
        var options = context.Options;
        var counter = new DeliveryCounter();
        audience.Sink = new FanOutSink(recorder, counter);
        var sending = PacedSender.RunAsync(
            sender,
            groupOf,
            options.Rate,
            options.Warmup + options.Duration,
            context.Payload,
            firstSequence,
            invoke: false,
            context.CancellationToken);

        await Task.Delay(options.Warmup, context.CancellationToken);
        recorder.Enable();
        var result = await sending.WaitAsync((options.Warmup + options.Duration) * 3 + TimeSpan.FromSeconds(10), context.CancellationToken);
        if (result.Failed > 0)
        {
            context.Log($"{result.Failed} of {result.Attempted} sends failed");
        }

        await counter.WaitForQuietAsync(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10), context.CancellationToken);
        recorder.Disable();
        audience.Sink = null;
        return recorder.SortedMilliseconds();
    }
}
