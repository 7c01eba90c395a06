namespace WsHub.SignalR;

/// <summary>
/// The state of a WsHub instance as the registry reports it.
/// </summary>
public enum WsHubInstanceState
{
    /// <summary>The instance accepts connections and delivers messages.</summary>
    Running,

    /// <summary>The instance is stopping and moving its connections to other instances.</summary>
    Draining,
}
