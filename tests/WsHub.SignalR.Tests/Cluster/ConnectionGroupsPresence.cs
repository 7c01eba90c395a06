namespace WsHub.SignalR.Tests.Cluster;

/// <summary>The body of the test server's <c>/presence/connection-groups/{id}</c> endpoint.</summary>
internal sealed record ConnectionGroupsPresence(string ConnectionId, IReadOnlyList<string> Groups);
