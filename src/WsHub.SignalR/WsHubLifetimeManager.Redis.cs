using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    private readonly object _startLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _start;
    private IConnectionMultiplexer? _redis;
    private bool _ownsRedis;
    private ISubscriber? _subscriber;
    private InstanceRegistry? _registry;
    private Task? _heartbeatLoop;
    private ChannelMessageQueue? _allSubscription;
    private ChannelMessageQueue? _instanceSubscription;
    private int _disposed;
    private int _draining;
    private int _left;
    private int _heartbeatCount;
    private bool _redisWasUnreachable;

    internal async Task<(IDatabase Database, RedisNames Names)> GetPresenceAccessAsync(CancellationToken cancellationToken)
    {
        var registry = await GetRegistryAsync().WaitAsync(cancellationToken);
        return (registry.Database, _names);
    }

    private async Task<InstanceRegistry> GetRegistryAsync()
    {
        await EnsureStartedAsync().WaitAsync(_options.OperationTimeout);
        return _registry!;
    }

    /// <summary>
    /// Publishes a message for other instances through the outbox: at once while Redis is reachable, after the
    /// reconnect while it is not. The caller does not wait for the reply of Redis.
    /// </summary>
    /// <exception cref="InvalidOperationException">Redis is unreachable and the outage buffer is full.</exception>
    private Task PublishAsync(RedisChannel channel, byte[] payload)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            WsHubLog.Publishing(_logger, channel.ToString());
        }

        return _outbox.SendAsync(new OutboundMessage(channel, payload, route: null));
    }

    /// <summary>Sends a message through a registry script, with the same ordering and buffering as a publish.</summary>
    private Task RouteAsync(byte[] payload, Func<InstanceRegistry, Task> route)
    {
        return _outbox.SendAsync(new OutboundMessage(default, payload, () => route(_registry!)));
    }

    private Task SendOutbound(OutboundMessage message)
    {
        return message.Route is { } route ? route() : _subscriber!.PublishAsync(message.Channel, message.Payload);
    }

    void IWsHubInstance.StartInBackground()
    {
        _ = StartInBackgroundAsync();
    }

    private async Task StartInBackgroundAsync()
    {
        // Retries until Redis is reachable, so an idle instance still joins the registry and removes dead instances.
        for (var attempt = 0; !_stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await EnsureStartedAsync();
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The first failure is logged, then one in 30, so a long outage does not flood the log.
                if (attempt % 30 == 0)
                {
                    WsHubLog.StartFailed(_logger, _instanceId, ex);
                }
            }

            try
            {
                await Task.Delay(_options.HeartbeatInterval, _timeProvider, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> TryEnsureStartedAsync()
    {
        // A new connection does not wait for a Redis that is known to be away. The background start and the
        // heartbeat write the registry once Redis is back.
        if (_start is not { IsCompletedSuccessfully: true } && _redis is { IsConnected: false })
        {
            return false;
        }

        try
        {
            await EnsureStartedAsync().WaitAsync(_options.OperationTimeout);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes to the registry and waits for the reply, at most <see cref="WsHubOptions.OperationTimeout"/>. Other
    /// instances route sends to connections, users and groups by the registry, so once a connect or a join completes,
    /// a send from any instance finds the connection. A failure or a timeout is logged and not thrown, because the
    /// connection keeps working locally and the registry is rewritten after a reconnect.
    /// </summary>
    private async Task WriteRegistryAsync(string connectionId, Func<Task> update)
    {
        try
        {
            await update().WaitAsync(_options.OperationTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            WsHubLog.RegistryWriteFailed(_logger, connectionId, ex);
        }
    }

    /// <summary>
    /// Issues a registry write without waiting for its reply. StackExchange.Redis sends commands in call order, so
    /// any later command of this instance, such as a presence query or the acknowledgement of a remote group change,
    /// reaches Redis after the write. A failure is logged; the registry is rewritten after a reconnect.
    /// </summary>
    private void UpdateRegistry(string connectionId, Func<Task> update)
    {
        Task write;
        try
        {
            write = update();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            WsHubLog.RegistryWriteFailed(_logger, connectionId, ex);
            return;
        }

        if (!write.IsCompletedSuccessfully)
        {
            write.ContinueWith(
                (task, state) =>
                {
                    if (task.Exception?.GetBaseException() is { } exception)
                    {
                        WsHubLog.RegistryWriteFailed(_logger, (string)state!, exception);
                    }
                },
                connectionId,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.NotOnRanToCompletion,
                TaskScheduler.Default);
        }
    }

    private Task EnsureStartedAsync()
    {
        var start = _start;
        if (start is { IsCompletedSuccessfully: true })
        {
            return start;
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        lock (_startLock)
        {
            // A failed start is retried by the next caller instead of failing every later call.
            if (_start is null || _start.IsFaulted || _start.IsCanceled)
            {
                _start = StartAsync();
            }

            return _start;
        }
    }

    private async Task StartAsync()
    {
        if (_redis is null)
        {
            (_redis, _ownsRedis) = await ConnectAsync();
            _redis.ConnectionFailed += OnConnectionFailed;
            _redis.ConnectionRestored += OnConnectionRestored;
            _subscriber = _redis.GetSubscriber();
            _registry = new InstanceRegistry(_redis.GetDatabase(), _names, _instanceId);
        }

        // A subscribe attempted while disconnected can leave behind a StackExchange.Redis queue without a reader, so
        // nothing is subscribed until the connection is up.
        if (!_redis.IsConnected)
        {
            _redisWasUnreachable = true;
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis is not reachable yet.");
        }

        // A retried start keeps the subscriptions of the failed one, so no channel gets two handlers.
        if (_allSubscription is null)
        {
            _allSubscription = await SubscribeAsync(_names.All);
            _allSubscription.OnMessage(OnAllChannelMessage);
        }

        if (_instanceSubscription is null)
        {
            _instanceSubscription = await SubscribeAsync(_names.Instance(_instanceId));
            _instanceSubscription.OnMessage(OnInstanceMessage);
        }

        await HeartbeatAsync();
        AnnounceStart();

        // Connections and groups that arrived while Redis was unreachable are not in Redis yet.
        if (_connections.Count > 0)
        {
            await _groups.EnsureSubscribedAsync();
            await RestoreRegistryAsync();
        }

        _heartbeatLoop ??= RunHeartbeatsAsync(_stopping.Token);
        WsHubLog.Connected(_logger, _instanceId);

        // Only an instance that waited for Redis delays its first buffer until the others listen. At a normal start
        // the others are already registered and listening, so messages sent during the start go out at once.
        if (_outbox.BufferedCount == 0 || !_redisWasUnreachable)
        {
            _outbox.GoOnline(SendOutbound);
        }
        else
        {
            _ = SendFirstBufferAsync(_stopping.Token);
        }
    }

    private async Task<(IConnectionMultiplexer Redis, bool Owned)> ConnectAsync()
    {
        if (_options.UseRegisteredMultiplexer)
        {
            return (_services.GetRequiredService<IConnectionMultiplexer>(), false);
        }

        if (_options.ConnectionFactory is { } factory)
        {
            return (await factory(TextWriter.Null), true);
        }

        var configuration = _options.Configuration.Clone();

        // The app starts even when Redis is away, and StackExchange.Redis keeps retrying in the background.
        // Commands fail at once while disconnected, so the outbox keeps them in order. Otherwise StackExchange.Redis
        // would send them on reconnect, before the other instances have subscribed again.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;

        // Messages for other instances wait while Redis is away, so reconnect attempts start early and stay frequent.
        configuration.ReconnectRetryPolicy ??= new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 2000);
        WsHubLog.Connecting(_logger, _instanceId, string.Join(", ", configuration.EndPoints));
        return (await ConnectionMultiplexer.ConnectAsync(configuration), true);
    }

    private async Task<ChannelMessageQueue> SubscribeAsync(RedisChannel channel)
    {
        WsHubLog.Subscribing(_logger, channel.ToString());
        return await _subscriber!.SubscribeAsync(channel);
    }

    private async Task<ChannelMessageQueue> SubscribeToGroupAsync(LocalGroup group)
    {
        // Waiting for the start here would deadlock the start, which subscribes the groups joined before it. A group
        // whose subscribe fails now is subscribed by the start or by the recovery after an outage.
        if (_subscriber is null || _redis?.IsConnected != true)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis is not reachable yet.");
        }

        var queue = await SubscribeAsync(_names.Group(group.Name));
        if (IsHistoryGroup(group.Name))
        {
            queue.OnMessage(message => OnHistoryBroadcast(message, group));
        }
        else
        {
            queue.OnMessage(message => OnBroadcast(message, group.Members));
        }

        return queue;
    }
}
