using Microsoft.AspNetCore.SignalR;
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
    private int _disposed;
    private long _publishesInFlight;
    private long _publishFailureCount;

    // Past this many unanswered publishes, callers wait for Redis, so a slow Redis cannot fill memory.
    private const int MaxPublishesInFlight = 4096;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_heartbeatLoop is not null)
        {
            await _heartbeatLoop;
        }

        _results.FailAll($"Instance '{_instanceId}' is stopping.");

        if (_registry is not null && _subscriber is not null)
        {
            try
            {
                await _groups.UnsubscribeAllAsync().WaitAsync(_options.OperationTimeout);
                await _subscriber.UnsubscribeAsync(_names.All).WaitAsync(_options.OperationTimeout);
                await _subscriber.UnsubscribeAsync(_names.Instance(_instanceId)).WaitAsync(_options.OperationTimeout);
                await _registry.RemoveInstanceAsync(_instanceId, TimeSpan.Zero).WaitAsync(_options.OperationTimeout);
                WsHubLog.Stopped(_logger, _instanceId);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // The others remove this instance once its heartbeat is older than the instance timeout.
                WsHubLog.CleanupFailed(_logger, _instanceId, ex);
            }
        }

        if (_ownsRedis && _redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _stopping.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        DisposeAsync().AsTask().GetAwaiter().GetResult();
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

    private async Task<bool> TryEnsureStartedAsync()
    {
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

        var all = await SubscribeAsync(_names.All);
        all.OnMessage(message => OnBroadcast(message, _connections));

        var own = await SubscribeAsync(_names.Instance(_instanceId));
        own.OnMessage(OnInstanceMessage);

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

    private void OnBroadcast(ChannelMessage channelMessage, HubConnectionStore members)
    {
        var envelope = TryReadEnvelope(channelMessage, skipOwn: true);
        if (envelope is null)
        {
            return;
        }

        if (envelope.Kind != EnvelopeKind.Broadcast)
        {
            DropInvalid(channelMessage, new EnvelopeFormatException($"A {envelope.Kind} envelope arrived on a broadcast channel."));
            return;
        }

        WriteToMembers(members, new OutgoingMessage((SerializedMessage[])envelope.Messages!), envelope.Targets);
    }

    private void OnInstanceMessage(ChannelMessage channelMessage)
    {
        var envelope = TryReadEnvelope(channelMessage, skipOwn: false);
        if (envelope is null)
        {
            return;
        }

        try
        {
            switch (envelope.Kind)
            {
                case EnvelopeKind.Connections:
                    var message = new SerializedHubMessage(envelope.Messages!);
                    foreach (var connectionId in envelope.Targets!)
                    {
                        if (_connections[connectionId] is { } connection)
                        {
                            WriteWithoutWaiting(connection, message);
                        }
                    }

                    break;
                case EnvelopeKind.Users:
                    var userMessage = new OutgoingMessage((SerializedMessage[])envelope.Messages!);
                    foreach (var userId in envelope.Targets!)
                    {
                        if (_users.TryGetValue(userId, out var user))
                        {
                            WriteToMembers(user.Connections, userMessage, excludedConnectionIds: null);
                        }
                    }

                    break;
                case EnvelopeKind.GroupCommand:
                    _ = ApplyGroupCommandAsync(envelope);
                    break;
                case EnvelopeKind.GroupAck:
                    _acks.Acknowledge(envelope.CommandId);
                    break;
                case EnvelopeKind.Invocation:
                    StartForwardedInvocation(envelope);
                    break;
                case EnvelopeKind.InvocationResult:
                    CompleteForwardedResult(envelope);
                    break;
                case EnvelopeKind.InvocationCancel:
                    DropForwardedInvocation(envelope);
                    break;
                default:
                    DropInvalid(channelMessage, new EnvelopeFormatException($"A {envelope.Kind} envelope arrived on an instance channel."));
                    break;
            }
        }
        catch (Exception ex)
        {
            // An exception must never reach StackExchange.Redis, or the channel would stop delivering.
            WsHubLog.ReceiveFailed(_logger, channelMessage.Channel.ToString(), ex);
        }
    }

    private BackplaneEnvelope? TryReadEnvelope(ChannelMessage channelMessage, bool skipOwn)
    {
        ReadOnlyMemory<byte> payload = (byte[]?)channelMessage.Message ?? [];
        try
        {
            // An instance already delivered its own broadcasts locally, so the echo from Redis is skipped early.
            if (skipOwn && string.Equals(EnvelopeCodec.ReadOrigin(payload), _instanceId, StringComparison.Ordinal))
            {
                return null;
            }

            var envelope = EnvelopeCodec.Read(payload);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                WsHubLog.Received(_logger, envelope.Kind, envelope.Origin, channelMessage.Channel.ToString());
            }

            return envelope;
        }
        catch (EnvelopeFormatException ex)
        {
            DropInvalid(channelMessage, ex);
            return null;
        }
    }

    private void DropInvalid(ChannelMessage channelMessage, Exception exception)
    {
        var count = Interlocked.Increment(ref _invalidEnvelopeCount);

        // Log the first few and then every thousandth, so a flood of garbage cannot flood the log.
        if (count <= 10 || count % 1000 == 0)
        {
            var length = channelMessage.Message.IsNull ? 0 : (int)channelMessage.Message.Length();
            WsHubLog.InvalidEnvelopeDropped(_logger, channelMessage.Channel.ToString(), length, count, exception);
        }
    }

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
                    WsHubLog.HeartbeatFailed(_logger, _instanceId, _options.HeartbeatInterval, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task HeartbeatAsync()
    {
        var result = await _registry!.HeartbeatAsync(_options.InstanceTimeout, _startedAt, "running", _connections.Count);

        if (result.WasMissing)
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
        }

        await Task.WhenAll(writes);
        WsHubLog.RegistryRestored(_logger, _instanceId, writes.Count);
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
