namespace WsHub.SignalR.Tests.Cluster;

/// <summary>A connection as the test built it: its instance, user and groups.</summary>
internal sealed record ExpectedConnection(string InstanceId, string? User, SortedSet<string> Groups);
