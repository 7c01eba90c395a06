namespace WsHub.SignalR.Internal;

/// <summary>
/// A lifetime manager that can move its connections to other instances and leave the cluster.
/// </summary>
internal interface IWsHubDrainable
{
    Task DrainAsync(CancellationToken cancellationToken);
}
