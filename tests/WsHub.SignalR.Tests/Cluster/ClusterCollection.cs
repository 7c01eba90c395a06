namespace WsHub.SignalR.Tests.Cluster;

/// <summary>
/// Runs the cluster tests one at a time: each starts Redis and several server processes, and timing assertions
/// would fail if they shared a small machine's cores with each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Cluster";
}
