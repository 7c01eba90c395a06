namespace WsHub.SignalR.Internal;

/// <summary>
/// A lifetime manager seen by the host: started with the app, drained when the app stops.
/// </summary>
internal interface IWsHubInstance
{
    /// <summary>Connects to Redis and joins the registry in the background; failures are logged and retried.</summary>
    void StartInBackground();

    Task DrainAsync(CancellationToken cancellationToken);

    int ConnectionCount { get; }

    int GroupCount { get; }

    int SubscribedChannelCount { get; }

    /// <summary>Whether Redis is reachable and messages for other instances go straight out.</summary>
    bool IsOnline { get; }

    int BufferedMessageCount { get; }

    /// <summary>Whether the outage buffer reached one of its bounds and sends for other instances fail.</summary>
    bool IsBufferFull { get; }
}
