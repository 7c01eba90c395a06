using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
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
    private long _publishesInFlight;
    private long _publishFailureCount;
    private int _heartbeatCount;

    // Past this many unanswered publishes, callers wait for Redis, so a slow Redis cannot fill memory.
    private const int MaxPublishesInFlight = 4096;

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
    /// Hands a message to StackExchange.Redis, which writes commands in call order, and returns without waiting for
    /// the reply unless more than <see cref="MaxPublishesInFlight"/> publishes are waiting for one. A publish that
    /// fails after this returns is logged and counted.
    /// </summary>
    private Task PublishAsync(RedisChannel channel, byte[] payload)
    {
        if (_start is not { IsCompletedSuccessfully: true })
        {
            return PublishAfterStartAsync(channel, payload);
        }

        if (_logger.IsEnabled(LogLevel.Trace))
        {
            WsHubLog.Publishing(_logger, channel.ToString());
        }

        return TrackPublish(_subscriber!.PublishAsync(channel, payload));
    }

    /// <summary>
    /// Returns at once for a publish that is still waiting for Redis, unless too many are, in which case the caller
    /// waits for this one. A failure that nobody waits for is logged and counted.
    /// </summary>
    private Task TrackPublish(Task publish)
    {
        if (publish.IsCompletedSuccessfully)
        {
            return Task.CompletedTask;
        }

        var inFlight = Interlocked.Increment(ref _publishesInFlight);
        publish.ContinueWith(
            static (task, state) => ((WsHubLifetimeManager<THub>)state!).OnPublishCompleted(task),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        return inFlight > MaxPublishesInFlight ? publish.WaitAsync(_options.OperationTimeout) : Task.CompletedTask;
    }

    private async Task PublishAfterStartAsync(RedisChannel channel, byte[] payload)
    {
        await EnsureStartedAsync().WaitAsync(_options.OperationTimeout);
        await PublishAsync(channel, payload);
    }

    private void OnPublishCompleted(Task publish)
    {
        Interlocked.Decrement(ref _publishesInFlight);
        if (publish.IsFaulted)
        {
            var count = Interlocked.Increment(ref _publishFailureCount);
            if (count <= 10 || count % 1000 == 0)
            {
                WsHubLog.PublishFailed(_logger, count, publish.Exception.GetBaseException());
            }
        }
    }

    void IWsHubInstance.StartInBackground()
    {
        _ = StartInBackgroundAsync();
    }

    private async Task StartInBackgroundAsync()
    {
        // Retries until Redis answers, so an idle instance still joins the registry and removes dead instances.
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
        // While Redis is known to be away a new connection does not wait for it; the background start and the
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

    private async Task TryUpdateRegistryAsync(string connectionId, Func<Task> update)
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

        // A retried start keeps the subscriptions of the failed one, so no channel gets two handlers.
        if (_allSubscription is null)
        {
            _allSubscription = await SubscribeAsync(_names.All);
            _allSubscription.OnMessage(message => OnBroadcast(message, _connections));
        }

        if (_instanceSubscription is null)
        {
            _instanceSubscription = await SubscribeAsync(_names.Instance(_instanceId));
            _instanceSubscription.OnMessage(OnInstanceMessage);
        }

        await HeartbeatAsync();
        _heartbeatLoop ??= RunHeartbeatsAsync(_stopping.Token);
        WsHubLog.Connected(_logger, _instanceId);
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

        // Keep retrying in the background rather than failing the app when Redis is away at start.
        configuration.AbortOnConnectFail = false;
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
        await EnsureStartedAsync();
        var queue = await SubscribeAsync(_names.Group(group.Name));
        queue.OnMessage(message => OnBroadcast(message, group.Members));
        return queue;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        WsHubLog.ConnectionFailed(_logger, e.ConnectionType, e.FailureType, e.Exception);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        WsHubLog.ConnectionRestored(_logger, e.ConnectionType);
    }
}
