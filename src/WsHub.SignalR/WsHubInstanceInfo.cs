namespace WsHub.SignalR;

/// <summary>
/// A live instance of one hub, as recorded by its last heartbeat.
/// </summary>
/// <param name="InstanceId">The instance id, also used in the name of its Redis channel.</param>
/// <param name="State">Whether the instance runs or drains.</param>
/// <param name="ConnectionCount">The number of connections the instance held at its last heartbeat.</param>
/// <param name="StartedAt">When the instance started.</param>
/// <param name="LastHeartbeat">When Redis received its last heartbeat, by the Redis server clock.</param>
public sealed record WsHubInstanceInfo(
    string InstanceId,
    WsHubInstanceState State,
    long ConnectionCount,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat);
