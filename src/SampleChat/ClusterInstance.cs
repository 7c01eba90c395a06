namespace SampleChat;

/// <summary>
/// A live instance in the cluster view.
/// </summary>
/// <param name="InstanceId">The WsHub instance id.</param>
/// <param name="Name">The instance name the chat page shows, or null when the instance has not published it.</param>
/// <param name="State"><c>Running</c>, or <c>Draining</c> while the instance moves its clients away.</param>
/// <param name="ConnectionCount">The number of connections at the instance's last heartbeat.</param>
/// <param name="StartedAt">When the instance started.</param>
/// <param name="LastHeartbeat">When Redis received the instance's last heartbeat.</param>
public sealed record ClusterInstance(
    string InstanceId,
    string? Name,
    string State,
    long ConnectionCount,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat);
