using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Sends messages for other instances in order, and keeps them while Redis is unreachable. Online, a message goes
/// straight to StackExchange.Redis and the caller does not wait for the reply. Offline, messages wait in a buffer
/// bounded by count, bytes and age. Messages that were in flight when the connection broke are put back in front of
/// the buffer in their original order, and everything goes out once Redis is back and the other instances have
/// subscribed again.
/// </summary>
internal sealed class Outbox
{
    // Past this many unanswered messages, callers wait for Redis, so a slow Redis cannot fill memory.
    private const int MaxInFlight = 4096;

    private readonly object _lock = new();
    private readonly Queue<OutboundMessage> _buffer = new();
    private readonly HashSet<OutboundMessage> _inFlight = [];
    private readonly List<OutboundMessage> _failed = [];
    private readonly WsHubOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly WsHubMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action _onConnectionLost;
    private Func<OutboundMessage, Task>? _send;
    private bool _online;
    private long _bufferedBytes;
    private long _lastSequence;
    private long _publishFailureCount;
    private bool _full;

    public Outbox(WsHubOptions options, TimeProvider timeProvider, WsHubMetrics metrics, ILogger logger, Action onConnectionLost)
    {
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _onConnectionLost = onConnectionLost;
    }

    public bool IsOnline => Volatile.Read(ref _online);

    public int BufferedCount
    {
        get
        {
            lock (_lock)
            {
                return _buffer.Count + _failed.Count;
            }
        }
    }

    public bool IsFull => Volatile.Read(ref _full);

    /// <summary>
    /// Sends a message, or buffers it while offline.
    /// </summary>
    /// <exception cref="InvalidOperationException">Redis is unreachable and the outage buffer is full.</exception>
    public Task SendAsync(OutboundMessage message)
    {
        Task sent;
        lock (_lock)
        {
            message.Sequence = ++_lastSequence;
            if (!_online)
            {
                Buffer(message);
                return Task.CompletedTask;
            }

            sent = Dispatch(message);
        }

        if (sent.IsCompletedSuccessfully)
        {
            return Task.CompletedTask;
        }

        return _inFlight.Count > MaxInFlight ? sent.WaitAsync(_options.OperationTimeout) : Task.CompletedTask;
    }

    /// <summary>Switches to buffering, because the connection to Redis broke.</summary>
    public void GoOffline()
    {
        lock (_lock)
        {
            _online = false;
        }
    }

    /// <summary>
    /// Sends what was buffered, in order, and switches back to sending directly. The caller has made sure that Redis
    /// is reachable and that the other instances have subscribed again.
    /// </summary>
    public void GoOnline(Func<OutboundMessage, Task> send)
    {
        lock (_lock)
        {
            _send = send;

            // Failed messages were sent before any buffered one, so they go first, oldest first.
            _failed.Sort(static (left, right) => left.Sequence.CompareTo(right.Sequence));
            var pending = new List<OutboundMessage>(_failed.Count + _buffer.Count);
            pending.AddRange(_failed);
            pending.AddRange(_buffer);
            _failed.Clear();
            _buffer.Clear();
            _bufferedBytes = 0;
            Volatile.Write(ref _full, false);

            var now = _timeProvider.GetTimestamp();
            var expired = 0;
            foreach (var message in pending)
            {
                if (message.BufferedAt != 0 && _timeProvider.GetElapsedTime(message.BufferedAt, now) > _options.OutageBufferMaxAge)
                {
                    expired++;
                    continue;
                }

                Dispatch(message);
            }

            if (expired > 0)
            {
                _metrics.AddDropped("buffer_expired", expired);
                WsHubLog.BufferedMessagesExpired(_logger, expired, _options.OutageBufferMaxAge);
            }

            _online = true;
            if (pending.Count > 0)
            {
                WsHubLog.BufferFlushed(_logger, pending.Count - expired);
            }
        }
    }

    /// <summary>Waits until every message handed to Redis has its reply, or the timeout passes.</summary>
    public async Task WaitForInFlightAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetTimestamp();
        while (true)
        {
            lock (_lock)
            {
                if (_inFlight.Count == 0)
                {
                    return;
                }
            }

            if (_timeProvider.GetElapsedTime(deadline) > timeout)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _timeProvider, cancellationToken);
        }
    }

    private void Buffer(OutboundMessage message)
    {
        var size = message.Payload.Length;
        if (_buffer.Count + _failed.Count >= _options.OutageBufferMaxMessages || _bufferedBytes + size > _options.OutageBufferMaxBytes)
        {
            Volatile.Write(ref _full, true);
            _metrics.AddDropped("buffer_full");
            WsHubLog.BufferFull(_logger, _buffer.Count + _failed.Count, _bufferedBytes);
            throw new InvalidOperationException(
                $"Redis is unreachable and the outage buffer is full ({_buffer.Count + _failed.Count} messages, {_bufferedBytes} bytes; "
                + "WsHubOptions.OutageBufferMaxMessages and OutageBufferMaxBytes). The message was not sent to other instances.");
        }

        message.BufferedAt = _timeProvider.GetTimestamp();
        _buffer.Enqueue(message);
        _bufferedBytes += size;
        _metrics.Buffered.Add(1);
    }

    private Task Dispatch(OutboundMessage message)
    {
        Task sent;
        try
        {
            message.SentAt = _timeProvider.GetTimestamp();
            sent = _send!(message);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            sent = Task.FromException(ex);
        }

        if (sent.IsCompletedSuccessfully)
        {
            OnSent(message);
            return sent;
        }

        _inFlight.Add(message);
        sent.ContinueWith(
            static (task, state) =>
            {
                var (outbox, message) = ((Outbox, OutboundMessage))state!;
                outbox.OnCompleted(message, task);
            },
            (this, message),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return sent;
    }

    private void OnCompleted(OutboundMessage message, Task sent)
    {
        var connectionLost = false;
        lock (_lock)
        {
            _inFlight.Remove(message);
            if (sent.IsCompletedSuccessfully)
            {
                OnSent(message);
                return;
            }

            var exception = sent.Exception?.GetBaseException();
            if (exception is RedisConnectionException)
            {
                // The connection broke under the message, so it goes out again after the reconnect.
                _failed.Add(message);
                connectionLost = _online;
                _online = false;
            }
            else
            {
                var count = ++_publishFailureCount;
                _metrics.AddDropped("publish_failed");
                if (count <= 10 || count % 1000 == 0)
                {
                    WsHubLog.PublishFailed(_logger, count, exception ?? new InvalidOperationException("The publish was canceled."));
                }
            }
        }

        if (connectionLost)
        {
            _onConnectionLost();
        }
    }

    private void OnSent(OutboundMessage message)
    {
        _metrics.Published.Add(1);
        _metrics.PublishDuration.Record(_timeProvider.GetElapsedTime(message.SentAt).TotalSeconds);
    }
}
