using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;
using WsHub.Benchmarks.LoadTool.Processes;
using WsHub.Benchmarks.LoadTool.Results;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Figure 7: one sender sends at a fixed rate to a group spread over the instances while Redis is killed with
/// SIGKILL and restarted, empty, on the same port. Counts deliveries expected against distinct deliveries received.
/// </summary>
internal static class RedisRestartFigure
{
    public static async Task RunRoundAsync(FigureContext context, IReadOnlyList<ServerInstance> instances, int round)
    {
        var options = context.Options;
        await using var members = await GroupAudience.ConnectAsync(
            context.Factory, instances, options.LossMembers, 1, $"loss{round}-", context.CancellationToken);
        var sender = context.Factory.Create(instances[0].HubUrl);
        try
        {
            await sender.StartAsync(context.CancellationToken).WaitAsync(ClientFactory.OperationTimeout, context.CancellationToken);
            var recorder = new SequenceRecorder(options.LossMembers);
            members.Sink = recorder;
            var group = members.GroupName(0);

            if (!await WaitUntilDeliveringAsync(context, sender, group, recorder))
            {
                context.Log(
                    $"figure 7 round {round}: not every member got a probe within {options.ReadyTimeout.TotalSeconds} s, measuring anyway");
            }

            var sending = PacedSender.RunAsync(
                sender, _ => group, options.LossRate, options.LossDuration, context.Payload, 0, invoke: true, context.CancellationToken);

            await Task.Delay(options.LossDuration / 4, context.CancellationToken);
            context.Log("killing Redis");
            await context.Redis.KillAsync();
            await Task.Delay(options.RedisDown, context.CancellationToken);
            await context.Redis.RestartAsync(context.CancellationToken);
            context.Log("Redis restarted");

            var sent = await sending.WaitAsync(options.LossDuration * 3 + TimeSpan.FromSeconds(60), context.CancellationToken);
            var quietLimit = options.Smoke ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(15);
            await WaitForQuietAsync(recorder, quietLimit, context.CancellationToken);

            var expected = sent.Attempted * options.LossMembers;
            var received = recorder.CountDistinct(0, sent.Attempted - 1);
            var perMember = recorder.CountDistinctPerReceiver(0, sent.Attempted - 1)
                .Select((count, member) => $"{member}@{member % instances.Count}:{count}");
            context.Log($"sent {sent.Attempted}; distinct deliveries per member@instance: {string.Join(' ', perMember)}");
            context.Record(MetricCatalog.LossExpected, expected);
            context.Record(MetricCatalog.LossLost, expected - received);
            context.Record(MetricCatalog.LossFailed, sent.Failed);
            context.Record(MetricCatalog.LossDuplicates, recorder.Duplicates);
        }
        finally
        {
            await ClientFactory.DisposeAllAsync([sender]);
        }
    }

    /// <summary>
    /// Sends probes (negative sequence numbers) until every member got one, so that a round does not start while
    /// the backplane still recovers from the previous round's restart.
    /// </summary>
    private static async Task<bool> WaitUntilDeliveringAsync(
        FigureContext context,
        HubConnection sender,
        string group,
        SequenceRecorder recorder)
    {
        var deadline = DateTime.UtcNow + context.Options.ReadyTimeout;
        for (long probe = -1; DateTime.UtcNow < deadline; probe--)
        {
            try
            {
                await sender.InvokeAsync("Publish", group, Stopwatch.GetTimestamp(), probe, context.Payload, context.CancellationToken)
                    .WaitAsync(TimeSpan.FromSeconds(2), context.CancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The backplane is not ready yet, so the next probe tries again.
            }

            if (recorder.AllReceivedAny(long.MinValue, -1))
            {
                return true;
            }

            await Task.Delay(200, context.CancellationToken);
        }

        return recorder.AllReceivedAny(long.MinValue, -1);
    }

    private static async Task WaitForQuietAsync(SequenceRecorder recorder, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        var last = recorder.Total;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000, cancellationToken);
            if (recorder.Total == last)
            {
                return;
            }

            last = recorder.Total;
        }
    }
}
