namespace WsHub.SignalR.Internal;

/// <summary>
/// What a heartbeat found in the registry.
/// </summary>
/// <param name="WasMissing">The instance was not in the registry, because Redis lost its data or others took it for dead.</param>
/// <param name="RegisteredConnections">The number of this instance's connections recorded in Redis.</param>
/// <param name="DeadInstances">Instances whose last heartbeat is older than the instance timeout.</param>
/// <param name="LiveInstances">Instances with a recent heartbeat, this one included.</param>
internal sealed record HeartbeatResult(
    bool WasMissing,
    long RegisteredConnections,
    IReadOnlyList<string> DeadInstances,
    IReadOnlyList<string> LiveInstances);
