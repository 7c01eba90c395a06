namespace WsHub.SignalR.Tests.Cluster;

/// <summary>
/// Picks the server for each connection attempt of one client in turn, like a round-robin load balancer, so the
/// first attempt reaches the first server and a reconnect reaches the next one.
/// </summary>
internal sealed class EndpointRotation(IReadOnlyList<TestServerProcess> servers)
{
    private int _attempts = -1;

    public TestServerProcess Next()
    {
        var attempt = Interlocked.Increment(ref _attempts);
        return servers[attempt % servers.Count];
    }
}
