namespace WsHub.SignalR.Tests.Cluster;

/// <summary>The body of the test server's <c>/instance</c> endpoint.</summary>
internal sealed record InstanceIdentity(string InstanceId, int ProcessId);
