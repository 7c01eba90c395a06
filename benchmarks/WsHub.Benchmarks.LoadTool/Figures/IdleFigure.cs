using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;
using WsHub.Benchmarks.LoadTool.Processes;
using WsHub.Benchmarks.LoadTool.Results;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Figures 4 and 5 on fresh instances: Redis channels and server working set before and after idle clients
/// connect and join their groups.
/// </summary>
internal static class IdleFigure
{
    private const double Mebibyte = 1024 * 1024;

    public static async Task RunRoundAsync(FigureContext context, int round)
    {
        var options = context.Options;
        var instances = await context.StartInstancesAsync();
        List<HubConnection> warmClients = [];
        try
        {
            // One client per instance, in no group, before the baseline: a backplane may connect to Redis lazily, and
            // the first connection also pays one-time costs that do not belong to the per-connection memory.
            warmClients = instances.Select(i => context.Factory.Create(i.HubUrl)).ToList();
            foreach (var client in warmClients)
            {
                await client.StartAsync(context.CancellationToken).WaitAsync(ClientFactory.OperationTimeout, context.CancellationToken);
            }

            var baseline = await WaitForStableChannelCountAsync(context);
            var (before, heapBefore) = await ReadMemoryAsync(context, instances);

            var idleGroupPrefix = $"idle{round}-";
            var audience = await GroupAudience.ConnectAsync(
                context.Factory, instances, options.IdleClients, options.IdleGroups, idleGroupPrefix, context.CancellationToken);
            await using (audience)
            {
                var channels = await WaitForStableChannelCountAsync(context);
                var (after, heapAfter) = await ReadMemoryAsync(context, instances);
                context.Record(MetricCatalog.ChannelsBaseline, baseline);
                context.Record(MetricCatalog.Channels, channels);
                context.Record(MetricCatalog.MemoryPerThousand, (after - before) / Mebibyte / (options.IdleClients / 1000.0));
                context.Record(MetricCatalog.HeapPerThousand, (heapAfter - heapBefore) / Mebibyte / (options.IdleClients / 1000.0));
            }
        }
        finally
        {
            await ClientFactory.DisposeAllAsync(warmClients);
            await FigureContext.StopInstancesAsync(instances);
        }
    }

    /// <summary>Returns the summed working set and managed heap of the instances, each after a full collection.</summary>
    private static async Task<(long ResidentBytes, long HeapBytes)> ReadMemoryAsync(FigureContext context, IReadOnlyList<ServerInstance> instances)
    {
        long resident = 0;
        long heap = 0;
        foreach (var instance in instances)
        {
            heap += await instance.CollectGarbageAsync(context.CancellationToken);
            resident += instance.ReadResidentBytes();
        }

        return (resident, heap);
    }

    /// <summary>
    /// Returns the channel count once two readings 500 ms apart agree, or the last reading after 10 s, because
    /// subscriptions may follow a join asynchronously.
    /// </summary>
    private static async Task<int> WaitForStableChannelCountAsync(FigureContext context)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var last = await context.Redis.CountChannelsAsync();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500, context.CancellationToken);
            var now = await context.Redis.CountChannelsAsync();
            if (now == last)
            {
                return now;
            }

            last = now;
        }

        return last;
    }
}
