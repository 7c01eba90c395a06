namespace WsHub.SignalR.Tests.Cluster;

/// <summary>Registry and drain timings passed to every test server of a cluster.</summary>
internal sealed record ClusterTimings(
    TimeSpan Heartbeat,
    TimeSpan InstanceTimeout,
    int DrainBatchSize,
    TimeSpan DrainBatchInterval,
    TimeSpan DrainTimeout)
{
    /// <summary>Short timings, so dead instances are found within a few seconds.</summary>
    public static ClusterTimings Fast { get; } = new(
        TimeSpan.FromMilliseconds(500),
        TimeSpan.FromMilliseconds(2000),
        DrainBatchSize: 50,
        DrainBatchInterval: TimeSpan.FromMilliseconds(100),
        DrainTimeout: TimeSpan.FromSeconds(10));

    /// <summary>
    /// The longest a live instance may take to remove a dead one: the dead one's last heartbeat ages past the
    /// instance timeout, a live one notices at its next heartbeat, plus one heartbeat of slack for a busy machine.
    /// </summary>
    public TimeSpan DeadInstanceRemoval => InstanceTimeout + (3 * Heartbeat);
}
