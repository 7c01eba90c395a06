using System.Net;
using System.Net.Sockets;

namespace WsHub.SignalR.Tests.Cluster;

/// <summary>Finds free TCP ports on the loopback interface.</summary>
internal static class FreePort
{
    /// <summary>
    /// Returns a port that was free a moment ago. Another process could take it before the caller binds it, which
    /// makes the caller's start fail loudly rather than connect to a stranger.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
