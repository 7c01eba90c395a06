namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// The xunit collection of the reliability tests. They break Redis, measure latency and count metrics, so they run
/// alone, after the parallel tests, where other tests neither load the 2 CPU cores nor add to the measurements.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Reliability";
}
