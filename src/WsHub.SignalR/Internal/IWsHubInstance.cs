namespace WsHub.SignalR.Internal;

/// <summary>
/// A lifetime manager seen by the host: started with the app, drained when the app stops.
/// </summary>
internal interface IWsHubInstance
{
    /// <summary>Connects to Redis and joins the registry in the background; failures are logged and retried.</summary>
    void StartInBackground();

    Task DrainAsync(CancellationToken cancellationToken);
}
