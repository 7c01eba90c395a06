namespace WsHub.TestServer;

/// <summary>The body of <c>/presence/connection-groups/{id}</c>.</summary>
/// <param name="ConnectionId">The connection asked about.</param>
/// <param name="Groups">The groups the registry lists for it.</param>
public sealed record ConnectionGroupsResponse(string ConnectionId, IReadOnlyList<string> Groups);
