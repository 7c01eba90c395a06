using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    // How long a draining instance waits for clients to close after the close message before it aborts them.
    private static readonly TimeSpan DrainCloseGrace = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await LeaveClusterAsync();

        if (_ownsRedis && _redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// Marks the instance as draining, closes its connections in batches while telling each client to reconnect, so
    /// clients move to other instances, and then leaves the cluster.
    /// </summary>
    async Task IWsHubInstance.DrainAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _draining, 1) == 1)
        {
            return;
        }

        var started = _timeProvider.GetTimestamp();
        var connections = new List<HubConnectionContext>(_connections.Count);
        foreach (var connection in _connections)
        {
            connections.Add(connection);
        }

        WsHubLog.DrainStarted(_logger, _instanceId, connections.Count);

        await WriteDrainingStateAsync(cancellationToken);

        var closed = 0;
        try
        {
            foreach (var batch in connections.Chunk(_options.DrainBatchSize))
            {
                foreach (var connection in batch)
                {
                    CloseForReconnect(connection);
                    closed++;
                }

                if (closed < connections.Count)
                {
                    await Task.Delay(_options.DrainBatchInterval, _timeProvider, cancellationToken);
                }
            }

            // Clients close on their own once they read the close message. A client that has not closed after the
            // grace period is aborted, which its client sees as a lost connection, so it reconnects as well.
            var graceStarted = _timeProvider.GetTimestamp();
            while (_connections.Count > 0 && _timeProvider.GetElapsedTime(graceStarted) < DrainCloseGrace)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), _timeProvider, cancellationToken);
            }

            foreach (var connection in _connections)
            {
                connection.Abort();
            }

            while (_connections.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), _timeProvider, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Past the drain timeout the instance leaves with the connections that remain; their clients reconnect
            // when the server closes.
        }

        WsHubLog.DrainCompleted(_logger, _instanceId, closed, _timeProvider.GetElapsedTime(started), _connections.Count);
        await LeaveClusterAsync();
    }

    /// <summary>
    /// Writes the draining state to the registry, so presence shows it at once rather than at the next heartbeat. A
    /// failure is logged, and the drain closes the connections all the same.
    /// </summary>
    /// <remarks>
    /// NOTE: while Redis hangs without a broken connection, this waits up to the operation timeout before the first
    /// connection is closed.
    /// </remarks>
    private async Task WriteDrainingStateAsync(CancellationToken cancellationToken)
    {
        if (_registry is null || _redis is not { IsConnected: true })
        {
            return;
        }

        try
        {
            await HeartbeatAsync().WaitAsync(_options.OperationTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            WsHubLog.DrainStateFailed(_logger, _instanceId, ex);
        }
    }

    /// <summary>
    /// Tells a client to reconnect elsewhere. The connection is not aborted here, because SignalR then sends a second
    /// close message that forbids reconnecting, and the JavaScript client obeys the last one.
    /// </summary>
    private void CloseForReconnect(HubConnectionContext connection)
    {
        StopHistoryCursors(connection);
        WriteWithoutWaiting(connection, new CloseMessage("The server instance is stopping; reconnect to another instance.", allowReconnect: true));
    }

    private async Task AbortAfterGraceAsync(HubConnectionContext connection)
    {
        await Task.Delay(DrainCloseGrace, _timeProvider);
        connection.Abort();
    }

    private async Task LeaveClusterAsync()
    {
        if (Interlocked.Exchange(ref _left, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_heartbeatLoop is not null)
        {
            await _heartbeatLoop;
        }

        _results.FailAll($"Instance '{_instanceId}' is stopping.");

        if (_registry is null || _subscriber is null)
        {
            return;
        }

        // Each step would wait the operation timeout for a Redis that is away.
        if (!_redis!.IsConnected)
        {
            WsHubLog.LeaveFailed(_logger, _instanceId, _options.InstanceTimeout, exception: null);
            return;
        }

        try
        {
            await _groups.UnsubscribeAllAsync().WaitAsync(_options.OperationTimeout);
            if (_allSubscription is not null)
            {
                await _allSubscription.UnsubscribeAsync().WaitAsync(_options.OperationTimeout);
            }

            if (_instanceSubscription is not null)
            {
                await _instanceSubscription.UnsubscribeAsync().WaitAsync(_options.OperationTimeout);
            }

            await _registry.RemoveInstanceAsync(_instanceId, TimeSpan.Zero).WaitAsync(_options.OperationTimeout);
            WsHubLog.Stopped(_logger, _instanceId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            WsHubLog.LeaveFailed(_logger, _instanceId, _options.InstanceTimeout, ex);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
