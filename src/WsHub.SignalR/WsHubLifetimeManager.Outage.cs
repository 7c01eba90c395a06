using System.Collections.Concurrent;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    private static readonly TimeSpan RecoveryPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    private readonly object _recoveryLock = new();
    private Task? _recovery;
    private int _outageVersion;
    private int _inOutage;
    private long _recoveredAt;
    private IReadOnlyList<string> _lastLiveInstances = [];
    private IReadOnlyList<string> _peersBeforeOutage = [];
    private readonly ConcurrentDictionary<string, long> _announcedPeers = new(StringComparer.Ordinal);
    private TaskCompletionSource? _probe;
    private string? _probeNonce;

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        WsHubLog.ConnectionFailed(_logger, e.ConnectionType, e.FailureType, e.Exception);
        EnterOutage();
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        WsHubLog.ConnectionRestored(_logger, e.ConnectionType);
        StartRecovery();
    }

    /// <summary>Switches the outbox to buffering and starts the recovery that switches it back.</summary>
    private void EnterOutage()
    {
        if (_start is not { IsCompletedSuccessfully: true })
        {
            // Before the first start the outbox buffers anyway, and the start sends what it holds.
            return;
        }

        Interlocked.Increment(ref _outageVersion);
        _outbox.GoOffline();
        HoldHistoryGroups();
        if (Interlocked.Exchange(ref _inOutage, 1) == 0)
        {
            // Heartbeats during the recovery see only the instances that are back, so the list is taken now.
            _peersBeforeOutage = GetKnownPeers();
            WsHubLog.OutageStarted(_logger);
        }

        StartRecovery();
    }

    private void StartRecovery()
    {
        if (_start is not { IsCompletedSuccessfully: true } || Volatile.Read(ref _inOutage) == 0)
        {
            return;
        }

        lock (_recoveryLock)
        {
            if (_recovery is { IsCompleted: false })
            {
                return;
            }

            _recovery = RecoverAsync(_stopping.Token);
        }
    }

    /// <summary>
    /// Brings the instance back after Redis was unreachable. It waits for the connection, checks that this instance's
    /// subscriptions deliver again, and writes its registry entries back. Then it waits until the instances that were
    /// alive before the outage have subscribed again, and only then sends the buffered messages, because Redis pub/sub
    /// keeps nothing for absent subscribers.
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var failedAttempts = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var version = Volatile.Read(ref _outageVersion);
            try
            {
                while (!_redis!.IsConnected)
                {
                    await Task.Delay(RecoveryPollInterval, _timeProvider, cancellationToken);
                }

                await ProbeOwnSubscriptionAsync(cancellationToken);
                await _groups.EnsureSubscribedAsync().WaitAsync(_options.OperationTimeout, cancellationToken);
                await RewriteRegistryAsync().WaitAsync(_options.OperationTimeout, cancellationToken);
                await CatchUpHistoryAsync().WaitAsync(_options.OperationTimeout, cancellationToken);
                var (readyCount, expectedCount) = await WaitForPeersAsync(cancellationToken);
                await _outbox.WaitForInFlightAsync(_options.OperationTimeout, cancellationToken);

                if (version != Volatile.Read(ref _outageVersion))
                {
                    // The connection broke again during the recovery, so it starts over.
                    continue;
                }

                Volatile.Write(ref _recoveredAt, _timeProvider.GetTimestamp());
                _outbox.GoOnline(SendOutbound);
                Interlocked.Exchange(ref _inOutage, 0);
                WsHubLog.OutageEnded(_logger, readyCount, expectedCount, _timeProvider.GetElapsedTime(started));
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // A lasting error, such as an ACL that denies a command, must show in the log.
                if (failedAttempts++ % 30 == 0)
                {
                    WsHubLog.RecoveryFailed(_logger, _instanceId, ex);
                }

                await Task.Delay(RecoveryPollInterval, _timeProvider, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends the messages buffered before Redis was first reachable. The other instances were also waiting for Redis
    /// and are unknown until they register, so this waits until the registry has kept the same instances for half the
    /// instance timeout (at least two heartbeats), at most <see cref="WsHubOptions.InstanceTimeout"/> in all, and then
    /// until those listen.
    /// </summary>
    private async Task SendFirstBufferAsync(CancellationToken cancellationToken)
    {
        try
        {
            var started = _timeProvider.GetTimestamp();
            var known = string.Join(",", _lastLiveInstances.Order(StringComparer.Ordinal));
            var stableSince = started;
            var stableFor = TimeSpan.FromTicks(Math.Max(_options.HeartbeatInterval.Ticks * 2, _options.InstanceTimeout.Ticks / 2));
            while (_timeProvider.GetElapsedTime(started) < _options.InstanceTimeout
                && _timeProvider.GetElapsedTime(stableSince) < stableFor)
            {
                await Task.Delay(RecoveryPollInterval, _timeProvider, cancellationToken);
                var current = string.Join(",", _lastLiveInstances.Order(StringComparer.Ordinal));
                if (current != known)
                {
                    known = current;
                    stableSince = _timeProvider.GetTimestamp();
                }
            }

            _peersBeforeOutage = GetKnownPeers();
            var (readyCount, expectedCount) = await WaitForPeersAsync(cancellationToken);
            WsHubLog.OutageEnded(_logger, readyCount, expectedCount, _timeProvider.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            WsHubLog.RecoveryFailed(_logger, _instanceId, ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        _outbox.GoOnline(SendOutbound);
    }

    /// <summary>Publishes to this instance's own channel until the message comes back.</summary>
    private async Task ProbeOwnSubscriptionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var nonce = Guid.NewGuid().ToString("N");
            var probe = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _probeNonce, nonce);
            Volatile.Write(ref _probe, probe);

            await _subscriber!.PublishAsync(_names.Instance(_instanceId), EnvelopeCodec.WriteProbe(_instanceId, nonce))
                .WaitAsync(_options.OperationTimeout, cancellationToken);
            try
            {
                await probe.Task.WaitAsync(ProbeTimeout, _timeProvider, cancellationToken);
                return;
            }
            catch (TimeoutException)
            {
                // StackExchange.Redis has not subscribed again yet.
            }
        }
    }

    private void CompleteProbe(BackplaneEnvelope envelope)
    {
        if (envelope.Origin == _instanceId && envelope.Reason == Volatile.Read(ref _probeNonce))
        {
            Volatile.Read(ref _probe)?.TrySetResult();
        }
    }

    /// <summary>
    /// Replaces this instance's registry entries with its current state, because connects, disconnects and group
    /// changes during the outage did not reach Redis, and Redis may have lost its data.
    /// </summary>
    private async Task RewriteRegistryAsync()
    {
        // The heartbeat finds the instance missing and writes its whole state back.
        await _registry!.RemoveInstanceAsync(_instanceId, TimeSpan.Zero);
        await HeartbeatAsync();
    }

    /// <summary>
    /// Publishes on the all channel that this instance registered and listens. Without it, an instance that started
    /// less than a heartbeat before an outage is unknown to the others, and they would send their buffered messages
    /// before it listens again. A lost announcement costs nothing lasting, because the next heartbeat lists the instance.
    /// </summary>
    private void AnnounceStart()
    {
        try
        {
            _ = _subscriber!.PublishAsync(_names.All, EnvelopeCodec.WriteInstanceStarted(_instanceId), CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // The connection broke since the registration, which the outage handling covers.
        }
    }

    private void NotePeerStarted(string instanceId)
    {
        _announcedPeers[instanceId] = _timeProvider.GetTimestamp();
    }

    /// <summary>
    /// Returns the instances this one counts as alive: those the last heartbeat read from the registry, and those that
    /// announced their start within the instance timeout, which that heartbeat may have missed.
    /// </summary>
    private string[] GetKnownPeers()
    {
        var peers = new HashSet<string>(_lastLiveInstances, StringComparer.Ordinal);
        foreach (var (instanceId, announcedAt) in _announcedPeers)
        {
            if (_timeProvider.GetElapsedTime(announcedAt) < _options.InstanceTimeout)
            {
                peers.Add(instanceId);
            }
            else
            {
                _announcedPeers.TryRemove(instanceId, out _);
            }
        }

        return [.. peers];
    }

    /// <summary>
    /// Waits until every instance that was alive before the outage, or that the registry lists as alive now, listens
    /// on the all channel and its own channel again. It waits at most the instance timeout, after which the missing
    /// ones count as dead.
    /// </summary>
    private async Task<(int ReadyCount, int ExpectedCount)> WaitForPeersAsync(CancellationToken cancellationToken)
    {
        // When Redis kept its data, the registry may list an instance that this one had not yet seen.
        var peers = _peersBeforeOutage.Union(_lastLiveInstances, StringComparer.Ordinal).Where(id => id != _instanceId).ToArray();
        if (peers.Length == 0)
        {
            return (0, 0);
        }

        var arguments = new object[2 + peers.Length];
        arguments[0] = "NUMSUB";
        arguments[1] = _names.All.ToString();
        for (var i = 0; i < peers.Length; i++)
        {
            arguments[2 + i] = _names.Instance(peers[i]).ToString();
        }

        var started = _timeProvider.GetTimestamp();
        var ready = 0;
        while (_timeProvider.GetElapsedTime(started) < _options.InstanceTimeout)
        {
            var result = (RedisResult[])(await _registry!.Database.ExecuteAsync("PUBSUB", arguments).WaitAsync(_options.OperationTimeout, cancellationToken))!;

            // The reply alternates channel names and subscriber counts.
            var allSubscribers = (long)result[1];
            ready = 0;
            for (var i = 0; i < peers.Length; i++)
            {
                if ((long)result[3 + (2 * i)] > 0)
                {
                    ready++;
                }
            }

            if (ready == peers.Length && allSubscribers > peers.Length)
            {
                break;
            }

            await Task.Delay(RecoveryPollInterval, _timeProvider, cancellationToken);
        }

        return (ready, peers.Length);
    }

    /// <summary>Whether a recent recovery makes the live instance list incomplete, because others still re-register.</summary>
    private bool IsWithinRecoveryGrace()
    {
        var recoveredAt = Volatile.Read(ref _recoveredAt);
        return recoveredAt != 0 && _timeProvider.GetElapsedTime(recoveredAt) < _options.InstanceTimeout;
    }
}
