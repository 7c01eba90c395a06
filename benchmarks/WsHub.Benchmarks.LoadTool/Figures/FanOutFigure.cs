using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;
using WsHub.Benchmarks.LoadTool.Results;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Figure 1: group deliveries per second with 1 and with 4 senders that keep a window of InvokeAsync calls open.
/// </summary>
internal static class FanOutFigure
{
    // Bounds a sender if the stop signal were lost. It is far above what one round can send.
    private const long MaxMessagesPerSender = 50_000_000;

    public static async Task RunRoundAsync(FigureContext context, GroupAudience audience, IReadOnlyList<HubConnection> senders)
    {
        await MeasureAsync(context, audience, senders.Take(1).ToList(), MetricCatalog.FanOutOneSender);
        await MeasureAsync(context, audience, senders.Take(4).ToList(), MetricCatalog.FanOutFourSenders);
    }

    private static async Task MeasureAsync(
        FigureContext context,
        GroupAudience audience,
        IReadOnlyList<HubConnection> senders,
        string metric)
    {
        var options = context.Options;
        var counter = new DeliveryCounter();
        audience.Sink = counter;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var groupCount = Math.Min(options.Groups, audience.Count);
        var tasks = senders
            .Select((sender, index) => Task.Run(() => WindowedSender.RunAsync(
                sender,
                n => audience.GroupName((int)(n % groupCount)),
                index * groupCount / senders.Count,
                options.Window,
                context.Payload,
                MaxMessagesPerSender,
                stop.Token)))
            .ToList();

        await Task.Delay(options.Warmup, context.CancellationToken);
        var before = counter.Count;
        var clock = Stopwatch.StartNew();
        await Task.Delay(options.Duration, context.CancellationToken);
        var after = counter.Count;
        var elapsed = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();

        var sent = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60), context.CancellationToken);
        var failed = sent.Sum(s => s.Failed);
        if (failed > 0)
        {
            context.Log($"{metric}: {failed} of {sent.Sum(s => s.Attempted)} hub calls failed");
        }

        await counter.WaitForQuietAsync(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), context.CancellationToken);
        audience.Sink = null;
        context.Record(metric, (after - before) / elapsed);
    }
}
