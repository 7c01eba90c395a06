namespace SampleChat;

/// <summary>
/// Log messages of the sample chat.
/// </summary>
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 1, EventName = "UserConnected", Level = LogLevel.Information,
        Message = "User {User} connected with connection {ConnectionId} to instance {Instance}.")]
    public static partial void UserConnected(ILogger logger, string user, string connectionId, string instance);

    [LoggerMessage(EventId = 2, EventName = "UserDisconnected", Level = LogLevel.Information,
        Message = "User {User} disconnected connection {ConnectionId}.")]
    public static partial void UserDisconnected(ILogger logger, string? user, string connectionId, Exception? exception);

    [LoggerMessage(EventId = 3, EventName = "ConnectionWithoutUser", Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} has no valid user name and is closed.")]
    public static partial void ConnectionWithoutUser(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 4, EventName = "RoomJoined", Level = LogLevel.Debug,
        Message = "User {User} joined room {Room} with connection {ConnectionId}.")]
    public static partial void RoomJoined(ILogger logger, string user, string room, string connectionId);

    [LoggerMessage(EventId = 5, EventName = "RoomLeft", Level = LogLevel.Debug,
        Message = "User {User} left room {Room} with connection {ConnectionId}.")]
    public static partial void RoomLeft(ILogger logger, string user, string room, string connectionId);

    [LoggerMessage(EventId = 6, EventName = "PingTimedOut", Level = LogLevel.Information,
        Message = "Ping of connection {ConnectionId} timed out after {TimeoutSeconds} seconds.")]
    public static partial void PingTimedOut(ILogger logger, string connectionId, double timeoutSeconds);

    [LoggerMessage(EventId = 7, EventName = "PingFailed", Level = LogLevel.Information,
        Message = "Ping of connection {ConnectionId} failed.")]
    public static partial void PingFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 8, EventName = "ConnectionRequestRejected", Level = LogLevel.Information,
        Message = "Rejected a chat connection request from {RemoteAddress}: {Reason}")]
    public static partial void ConnectionRequestRejected(ILogger logger, string? remoteAddress, string reason);

    [LoggerMessage(EventId = 9, EventName = "InstanceNameWriteFailed", Level = LogLevel.Warning,
        Message = "Writing the name of instance {InstanceId} to Redis failed.")]
    public static partial void InstanceNameWriteFailed(ILogger logger, string instanceId, Exception exception);

    [LoggerMessage(EventId = 10, EventName = "ClusterSnapshotFailed", Level = LogLevel.Warning,
        Message = "Reading the cluster state from Redis failed.")]
    public static partial void ClusterSnapshotFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 11, EventName = "DisconnectCleanupFailed", Level = LogLevel.Warning,
        Message = "Removing connection {ConnectionId} from its rooms or telling the rooms failed.")]
    public static partial void DisconnectCleanupFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 12, EventName = "RoomListUpdateFailed", Level = LogLevel.Warning,
        Message = "Adding room {Room} to the room list in Redis failed; the cluster view may miss it until the next room list refresh.")]
    public static partial void RoomListUpdateFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(EventId = 13, EventName = "RecentMessagesReadFailed", Level = LogLevel.Warning,
        Message = "Reading the recent messages of room {Room} from Redis failed.")]
    public static partial void RecentMessagesReadFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(EventId = 14, EventName = "HistoryEntryInvalid", Level = LogLevel.Warning,
        Message = "History entry {Offset} of room {Room} is not a valid chat message and is left out.")]
    public static partial void HistoryEntryInvalid(ILogger logger, string room, string offset, Exception exception);

    [LoggerMessage(EventId = 15, EventName = "RoomListRefreshFailed", Level = LogLevel.Warning,
        Message = "Adding the rooms of this instance to the room list in Redis failed; the next refresh retries.")]
    public static partial void RoomListRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 16, EventName = "HubMethodRejected", Level = LogLevel.Debug,
        Message = "Hub method {HubMethod} of connection {ConnectionId} returned an error to the client: {Reason}")]
    public static partial void HubMethodRejected(
        ILogger logger, string hubMethod, string connectionId, string reason, Exception exception);

    [LoggerMessage(EventId = 17, EventName = "HubMethodFailed", Level = LogLevel.Error,
        Message = "Hub method {HubMethod} of connection {ConnectionId} failed.")]
    public static partial void HubMethodFailed(ILogger logger, string hubMethod, string connectionId, Exception exception);
}
