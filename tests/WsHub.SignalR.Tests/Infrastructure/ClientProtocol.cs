namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// The hub protocol a test client speaks.
/// </summary>
public enum ClientProtocol
{
    /// <summary>The JSON hub protocol, the client default.</summary>
    Json,

    /// <summary>The MessagePack hub protocol.</summary>
    MessagePack,
}
