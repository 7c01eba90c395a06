using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;
using WsHub.Benchmarks.LoadTool.Processes;
using WsHub.Benchmarks.LoadTool.Results;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Figure 3: connects per second for many clients, spread over the instances, and the time until every client has
/// joined its group. Each client joins right after its own connect.
/// </summary>
internal static class ConnectFigure
{
    public static async Task RunRoundAsync(FigureContext context, IReadOnlyList<ServerInstance> instances, int round)
    {
        var options = context.Options;
        var connections = new HubConnection?[options.ConnectClients];
        long lastConnectedTicks = 0;
        long lastJoinedTicks = 0;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, options.ConnectClients),
                new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = context.CancellationToken },
                async (client, token) =>
                {
                    var connection = context.Factory.Create(instances[client % instances.Count].HubUrl);
                    connections[client] = connection;
                    try
                    {
                        await connection.StartAsync(token).WaitAsync(ClientFactory.OperationTimeout, token);
                        SetMax(ref lastConnectedTicks, clock.ElapsedTicks);
                        var group = string.Create(CultureInfo.InvariantCulture, $"connect{round}-{client % options.ConnectGroups}");
                        await connection.InvokeAsync("Join", group, token).WaitAsync(ClientFactory.OperationTimeout, token);
                        SetMax(ref lastJoinedTicks, clock.ElapsedTicks);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failures);
                    }
                });

            if (failures > 0)
            {
                context.Log($"{failures} of {options.ConnectClients} clients failed to connect or join; the figures count the others");
            }

            var connected = options.ConnectClients - failures;
            context.Record(MetricCatalog.ConnectRate, connected / ((double)lastConnectedTicks / Stopwatch.Frequency));
            context.Record(MetricCatalog.ConnectGrouped, (double)lastJoinedTicks / Stopwatch.Frequency);
        }
        finally
        {
            await ClientFactory.DisposeAllAsync(connections.OfType<HubConnection>(), options.ConnectConcurrency);
        }
    }

    private static void SetMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
