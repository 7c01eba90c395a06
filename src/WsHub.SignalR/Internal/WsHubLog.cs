using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Log messages of the backplane. Event ids are stable and grouped: 1-19 Redis connection, 20-39 subscriptions,
/// 40-59 messages, 60-79 registry, 80-99 group commands and client results. Never reuse an id or a name.
/// </summary>
internal static partial class WsHubLog
{
    [LoggerMessage(EventId = 1, EventName = "Connecting", Level = LogLevel.Information,
        Message = "Instance {InstanceId} is connecting to Redis at {Endpoints}.")]
    public static partial void Connecting(ILogger logger, string instanceId, string endpoints);

    [LoggerMessage(EventId = 2, EventName = "Connected", Level = LogLevel.Information,
        Message = "Instance {InstanceId} is connected to Redis.")]
    public static partial void Connected(ILogger logger, string instanceId);

    [LoggerMessage(EventId = 3, EventName = "ConnectionFailed", Level = LogLevel.Warning,
        Message = "The Redis {ConnectionType} connection failed ({FailureType}); StackExchange.Redis keeps reconnecting.")]
    public static partial void ConnectionFailed(ILogger logger, ConnectionType connectionType, ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(EventId = 4, EventName = "ConnectionRestored", Level = LogLevel.Information,
        Message = "The Redis {ConnectionType} connection is restored.")]
    public static partial void ConnectionRestored(ILogger logger, ConnectionType connectionType);

    [LoggerMessage(EventId = 5, EventName = "StartFailed", Level = LogLevel.Error,
        Message = "Instance {InstanceId} could not start its Redis subscriptions; cross-instance delivery is off until it retries.")]
    public static partial void StartFailed(ILogger logger, string instanceId, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "Stopped", Level = LogLevel.Information,
        Message = "Instance {InstanceId} left the registry and closed its Redis subscriptions.")]
    public static partial void Stopped(ILogger logger, string instanceId);

    [LoggerMessage(EventId = 12, EventName = "LeaveFailed", Level = LogLevel.Warning,
        Message = "Instance {InstanceId} could not leave the registry because Redis is unreachable or failed; the other instances remove it after {InstanceTimeout} without a heartbeat.")]
    public static partial void LeaveFailed(ILogger logger, string instanceId, TimeSpan instanceTimeout, Exception? exception);

    [LoggerMessage(EventId = 13, EventName = "DrainStateFailed", Level = LogLevel.Warning,
        Message = "Writing the draining state of instance {InstanceId} to the registry failed; its connections are closed all the same.")]
    public static partial void DrainStateFailed(ILogger logger, string instanceId, Exception exception);

    [LoggerMessage(EventId = 7, EventName = "DrainStarted", Level = LogLevel.Information,
        Message = "Instance {InstanceId} is draining {ConnectionCount} connections.")]
    public static partial void DrainStarted(ILogger logger, string instanceId, int connectionCount);

    [LoggerMessage(EventId = 8, EventName = "DrainCompleted", Level = LogLevel.Information,
        Message = "Instance {InstanceId} drained: closed {ClosedCount} connections in {Elapsed}, {RemainingCount} remain.")]
    public static partial void DrainCompleted(ILogger logger, string instanceId, int closedCount, TimeSpan elapsed, int remainingCount);

    [LoggerMessage(EventId = 11, EventName = "RecoveryFailed", Level = LogLevel.Warning,
        Message = "Instance {InstanceId} failed to recover from the Redis outage and keeps trying; messages for other instances stay buffered.")]
    public static partial void RecoveryFailed(ILogger logger, string instanceId, Exception exception);

    [LoggerMessage(EventId = 20, EventName = "Subscribing", Level = LogLevel.Debug, Message = "Subscribing to channel {Channel}.")]
    public static partial void Subscribing(ILogger logger, string channel);

    [LoggerMessage(EventId = 21, EventName = "Unsubscribing", Level = LogLevel.Debug, Message = "Unsubscribing from channel {Channel}.")]
    public static partial void Unsubscribing(ILogger logger, string channel);

    [LoggerMessage(EventId = 22, EventName = "SubscribeFailed", Level = LogLevel.Warning,
        Message = "Subscribing to channel {Channel} failed.")]
    public static partial void SubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(EventId = 23, EventName = "UnsubscribeFailed", Level = LogLevel.Warning,
        Message = "Unsubscribing from channel {Channel} failed.")]
    public static partial void UnsubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(EventId = 40, EventName = "Publishing", Level = LogLevel.Trace, Message = "Publishing to channel {Channel}.")]
    public static partial void Publishing(ILogger logger, string channel);

    [LoggerMessage(EventId = 41, EventName = "Received", Level = LogLevel.Trace,
        Message = "Received a {Kind} envelope from instance {Origin} on channel {Channel}.")]
    public static partial void Received(ILogger logger, EnvelopeKind kind, string origin, string channel);

    [LoggerMessage(EventId = 42, EventName = "InvalidEnvelopeDropped", Level = LogLevel.Warning,
        Message = "Dropped an invalid message of {Length} bytes on channel {Channel}; {DroppedCount} dropped so far.")]
    public static partial void InvalidEnvelopeDropped(ILogger logger, string channel, int length, long droppedCount, Exception exception);

    [LoggerMessage(EventId = 43, EventName = "WriteFailed", Level = LogLevel.Debug,
        Message = "Writing a message to connection {ConnectionId} failed.")]
    public static partial void WriteFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 44, EventName = "ReceiveFailed", Level = LogLevel.Error,
        Message = "Handling a message from channel {Channel} failed.")]
    public static partial void ReceiveFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(EventId = 45, EventName = "PublishFailed", Level = LogLevel.Warning,
        Message = "A publish to Redis failed, so other instances missed that message; {FailedCount} failed so far.")]
    public static partial void PublishFailed(ILogger logger, long failedCount, Exception exception);

    [LoggerMessage(EventId = 46, EventName = "BufferFull", Level = LogLevel.Error,
        Message = "Redis is unreachable and the outage buffer is full with {MessageCount} messages and {ByteCount} bytes; sends to other instances fail.")]
    public static partial void BufferFull(ILogger logger, int messageCount, long byteCount);

    [LoggerMessage(EventId = 47, EventName = "BufferedMessagesExpired", Level = LogLevel.Warning,
        Message = "Dropped {Count} buffered messages older than {MaxAge} (WsHubOptions.OutageBufferMaxAge) when Redis came back.")]
    public static partial void BufferedMessagesExpired(ILogger logger, int count, TimeSpan maxAge);

    [LoggerMessage(EventId = 48, EventName = "BufferFlushed", Level = LogLevel.Information,
        Message = "Sent {Count} messages that waited while Redis was unreachable.")]
    public static partial void BufferFlushed(ILogger logger, int count);

    [LoggerMessage(EventId = 49, EventName = "SlowConnectionAborted", Level = LogLevel.Warning,
        Message = "Aborted connection {ConnectionId} because {BacklogBytes} bytes wait to be written to it, more than WsHubOptions.MaxConnectionBacklogBytes.")]
    public static partial void SlowConnectionAborted(ILogger logger, string connectionId, long backlogBytes);

    [LoggerMessage(EventId = 9, EventName = "OutageStarted", Level = LogLevel.Warning,
        Message = "Lost the connection to Redis; messages for other instances wait in the outage buffer.")]
    public static partial void OutageStarted(ILogger logger);

    [LoggerMessage(EventId = 10, EventName = "OutageEnded", Level = LogLevel.Information,
        Message = "Redis is back and {ReadyCount} of {ExpectedCount} other instances subscribed again after {Waited}.")]
    public static partial void OutageEnded(ILogger logger, int readyCount, int expectedCount, TimeSpan waited);

    [LoggerMessage(EventId = 60, EventName = "HeartbeatFailed", Level = LogLevel.Warning,
        Message = "The heartbeat of instance {InstanceId} failed; it retries in {Interval}.")]
    public static partial void HeartbeatFailed(ILogger logger, string instanceId, TimeSpan interval, Exception exception);

    [LoggerMessage(EventId = 61, EventName = "DeadInstanceRemoved", Level = LogLevel.Information,
        Message = "Removed instance {DeadInstanceId} from the registry after {Timeout} without a heartbeat, with {ConnectionCount} connections.")]
    public static partial void DeadInstanceRemoved(ILogger logger, string deadInstanceId, TimeSpan timeout, long connectionCount);

    [LoggerMessage(EventId = 62, EventName = "RegistryRestored", Level = LogLevel.Information,
        Message = "Instance {InstanceId} was missing from the registry and wrote back its {ConnectionCount} connections.")]
    public static partial void RegistryRestored(ILogger logger, string instanceId, int connectionCount);

    [LoggerMessage(EventId = 63, EventName = "RegistryWriteFailed", Level = LogLevel.Warning,
        Message = "Updating the registry for connection {ConnectionId} failed; the next heartbeat after a reconnect writes it back.")]
    public static partial void RegistryWriteFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 64, EventName = "CleanupFailed", Level = LogLevel.Warning,
        Message = "Removing dead instance {DeadInstanceId} from the registry failed; the next heartbeat retries.")]
    public static partial void CleanupFailed(ILogger logger, string deadInstanceId, Exception exception);

    [LoggerMessage(EventId = 80, EventName = "GroupCommandFailed", Level = LogLevel.Warning,
        Message = "Applying a group command from instance {Origin} for connection {ConnectionId} and group {GroupName} failed.")]
    public static partial void GroupCommandFailed(ILogger logger, string origin, string connectionId, string groupName, Exception exception);

    [LoggerMessage(EventId = 81, EventName = "InvocationsLost", Level = LogLevel.Warning,
        Message = "Failed {Count} pending client-result invocations because instance {InstanceId} left the cluster.")]
    public static partial void InvocationsLost(ILogger logger, int count, string instanceId);

    [LoggerMessage(EventId = 82, EventName = "UnknownInvocationResult", Level = LogLevel.Debug,
        Message = "Ignored a result for invocation {InvocationId}, which is not pending on this instance.")]
    public static partial void UnknownInvocationResult(ILogger logger, string invocationId);

    [LoggerMessage(EventId = 90, EventName = "ResumeKeyIgnored", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} sent a resume key of {Length} characters; 1 to {MaxLength} are allowed, so it is ignored.")]
    public static partial void ResumeKeyIgnored(ILogger logger, string connectionId, int length, int maxLength);

    [LoggerMessage(EventId = 91, EventName = "HistoryRecoveryFailed", Level = LogLevel.Warning,
        Message = "Reading the history of group {GroupName} for connection {ConnectionId} failed; it receives live messages only.")]
    public static partial void HistoryRecoveryFailed(ILogger logger, string connectionId, string groupName, Exception exception);

    [LoggerMessage(EventId = 92, EventName = "HistoryRecoveryImpossible", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} cannot resume group {GroupName}: its position is unknown or older than the history.")]
    public static partial void HistoryRecoveryImpossible(ILogger logger, string connectionId, string groupName);

    [LoggerMessage(EventId = 93, EventName = "HistoryCatchUpImpossible", Level = LogLevel.Warning,
        Message = "The history of group {GroupName} no longer covers the Redis outage; its local members may have missed messages.")]
    public static partial void HistoryCatchUpImpossible(ILogger logger, string groupName);

    [LoggerMessage(EventId = 94, EventName = "HistoryCaughtUp", Level = LogLevel.Information,
        Message = "Delivered {Count} messages of group {GroupName} that were sent during the Redis outage.")]
    public static partial void HistoryCaughtUp(ILogger logger, string groupName, int count);

    [LoggerMessage(EventId = 95, EventName = "ResumeTakeover", Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} is aborted because a newer connection with its resume key joined a history group.")]
    public static partial void ResumeTakeover(ILogger logger, string connectionId);
}
