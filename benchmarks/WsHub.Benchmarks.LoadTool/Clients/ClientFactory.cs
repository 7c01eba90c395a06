using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Builds SignalR .NET client connections with the protocol of the run.
/// </summary>
internal sealed class ClientFactory(bool messagePack)
{
    /// <summary>The limit on one connect, join or close of a client.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);

    public string ProtocolName => messagePack ? "messagepack" : "json";

    /// <summary>
    /// Creates a connection over WebSockets that skips the negotiate request, as clients of a WebSocket-only
    /// deployment do, so that connect figures count the hub connection and not an extra HTTP round trip.
    /// </summary>
    public HubConnection Create(Uri hubUrl)
    {
        var builder = new HubConnectionBuilder().WithUrl(hubUrl, HttpTransportType.WebSockets, options => options.SkipNegotiation = true);
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        return builder.Build();
    }

    /// <summary>Closes connections, a bounded number at a time, ignoring failures of single closes.</summary>
    public static async Task DisposeAllAsync(IEnumerable<HubConnection> connections, int concurrency = 64)
    {
        await Parallel.ForEachAsync(
            connections,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (connection, _) =>
            {
                try
                {
                    await connection.DisposeAsync().AsTask().WaitAsync(OperationTimeout, CancellationToken.None);
                }
                catch (TimeoutException)
                {
                    // The server side is stuck. Stopping the server process at the end of the backplane closes the socket.
                }
                catch (Exception exception) when (exception is IOException or InvalidOperationException)
                {
                    // A close of a broken connection fails and there is nothing left to close.
                }
            });
    }
}
