namespace WsHub.SignalR.Tests.Cluster;

/// <summary>The body of the test server's <c>/presence/group/{name}</c> endpoint; members are sorted ordinally.</summary>
internal sealed record GroupPresence(string GroupName, long Count, IReadOnlyList<string> Members, int Pages);
