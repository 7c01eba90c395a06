using WsHub.Benchmarks.LoadTool.Clients;
using WsHub.Benchmarks.LoadTool.Processes;
using WsHub.Benchmarks.LoadTool.Results;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// What every figure of one backplane needs: the options, Redis, the client factory and where results go.
/// </summary>
internal sealed class FigureContext(
    Backplane backplane,
    LoadToolOptions options,
    RedisServerProcess redis,
    ChildProcessRegistry registry,
    ResultSet results,
    CancellationToken cancellationToken)
{
    public Backplane Backplane { get; } = backplane;

    public LoadToolOptions Options { get; } = options;

    public RedisServerProcess Redis { get; } = redis;

    public ResultSet Results { get; } = results;

    public ClientFactory Factory { get; } = new(options.MessagePack);

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public byte[] Payload { get; } = Enumerable.Range(0, options.PayloadBytes).Select(i => (byte)i).ToArray();

    /// <summary>True during a warm-up round, whose values are logged but not recorded.</summary>
    public bool IsWarmupRound { get; set; }

    public void Record(string metric, double value)
    {
        if (IsWarmupRound)
        {
            Log($"{metric} = {MetricCatalog.Format(value)} (warm-up round, not recorded)");
            return;
        }

        if (double.IsNaN(value))
        {
            Log($"{metric}: no value in this round");
            return;
        }

        Results.Add(metric, Backplane, value);
        Log($"{metric} = {MetricCatalog.Format(value)}");
    }

    public void Log(string message) => ConsoleLog.Write($"[{BackplaneNames.ToName(Backplane)}] {message}");

    /// <summary>
    /// Empties Redis and starts the instances of this backplane: one for none, <see cref="LoadToolOptions.Instances"/> otherwise.
    /// </summary>
    public async Task<IReadOnlyList<ServerInstance>> StartInstancesAsync()
    {
        await Redis.FlushAllAsync();
        var redisConfiguration = Backplane == Backplane.None ? null : Redis.Configuration;
        var starts = Enumerable.Range(0, Options.InstancesFor(Backplane))
            .Select(_ => ServerInstance.StartAsync(Backplane, redisConfiguration, registry, Options.History, CancellationToken))
            .ToList();
        try
        {
            return await Task.WhenAll(starts);
        }
        catch
        {
            await StopInstancesAsync(starts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result).ToList());
            throw;
        }
    }

    public static async Task StopInstancesAsync(IReadOnlyList<ServerInstance> instances)
    {
        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }
    }
}
