namespace WsHub.SignalR.Tests.Cluster;

/// <summary>The body of the test server's <c>/presence/connection/{id}</c> endpoint.</summary>
internal sealed record ConnectionPresence(string ConnectionId, string? InstanceId, bool IsConnected);
