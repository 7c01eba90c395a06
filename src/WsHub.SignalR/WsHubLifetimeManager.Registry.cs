using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    private readonly SemaphoreSlim _heartbeatLock = new(1, 1);

    private async Task RunHeartbeatsAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await HeartbeatAsync().WaitAsync(_options.OperationTimeout, stoppingToken);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // During an outage the outage log lines cover the failure, so failed heartbeats are not logged.
                    if (Volatile.Read(ref _inOutage) == 0)
                    {
                        WsHubLog.HeartbeatFailed(_logger, _instanceId, _options.HeartbeatInterval, ex);
                    }

                    continue;
                }

                await ResubscribeFailedGroupsAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Subscribes the groups whose subscribe failed at a join while Redis hung without a broken connection, which
    /// would have started a recovery. Outside such failures this finds nothing to do.
    /// </summary>
    private async Task ResubscribeFailedGroupsAsync(CancellationToken stoppingToken)
    {
        if (Volatile.Read(ref _inOutage) == 1)
        {
            return;
        }

        try
        {
            await _groups.EnsureSubscribedAsync().WaitAsync(_options.OperationTimeout, stoppingToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // GroupSubscriptions logs each failed subscribe, and the next heartbeat tries again.
        }
    }

    private async Task HeartbeatAsync()
    {
        // The heartbeat loop and a recovery can both find the instance missing, and one restore is enough.
        await _heartbeatLock.WaitAsync();
        try
        {
            await HeartbeatCoreAsync();
        }
        finally
        {
            _heartbeatLock.Release();
        }
    }

    private async Task HeartbeatCoreAsync()
    {
        var state = Volatile.Read(ref _draining) == 1 ? "draining" : "running";
        var result = await _registry!.HeartbeatAsync(_options.InstanceTimeout, _startedAt, state, _connections.Count);

        // The first heartbeat of an instance always adds it, which is no loss of data.
        var firstHeartbeat = Interlocked.Exchange(ref _heartbeatCount, 1) == 0;
        if (result.WasMissing && !firstHeartbeat)
        {
            await RestoreRegistryAsync();
        }

        foreach (var deadInstanceId in result.DeadInstances)
        {
            if (deadInstanceId == _instanceId)
            {
                continue;
            }

            try
            {
                var removed = await _registry.RemoveInstanceAsync(deadInstanceId, _options.InstanceTimeout);
                if (removed >= 0)
                {
                    WsHubLog.DeadInstanceRemoved(_logger, deadInstanceId, _options.InstanceTimeout, removed);
                }
            }
            catch (RedisException ex)
            {
                WsHubLog.CleanupFailed(_logger, deadInstanceId, ex);
            }
        }

        _lastLiveInstances = result.LiveInstances;
        if (IsWithinRecoveryGrace())
        {
            // Other instances may still be writing themselves back, so a missing one is not yet dead.
            return;
        }

        var live = new HashSet<string>(result.LiveInstances, StringComparer.Ordinal);
        var failed = _results.FailHolders(holder => !live.Contains(holder));
        if (failed > 0)
        {
            WsHubLog.InvocationsLost(_logger, failed, string.Join(", ", result.DeadInstances));
        }
    }

    private async Task RestoreRegistryAsync()
    {
        // Writes are pipelined by StackExchange.Redis, so thousands of connections cost about one round trip.
        var writes = new List<Task>(_connections.Count);
        foreach (var connection in _connections)
        {
            writes.Add(_registry!.RegisterConnectionAsync(connection.ConnectionId, connection.UserIdentifier));
            foreach (var groupName in connection.Features.Get<WsHubConnectionFeature>()?.GetGroups() ?? [])
            {
                writes.Add(_registry.JoinGroupAsync(connection.ConnectionId, groupName));
            }
        }

        await Task.WhenAll(writes);
        WsHubLog.RegistryRestored(_logger, _instanceId, _connections.Count);
    }
}
