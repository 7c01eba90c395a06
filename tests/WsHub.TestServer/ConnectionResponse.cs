namespace WsHub.TestServer;

/// <summary>The body of <c>/presence/connection/{id}</c>.</summary>
/// <param name="ConnectionId">The connection id asked about.</param>
/// <param name="InstanceId">The instance that holds the connection, or null.</param>
/// <param name="IsConnected">What <c>IsConnectedAsync</c> returned.</param>
public sealed record ConnectionResponse(string ConnectionId, string? InstanceId, bool IsConnected);
