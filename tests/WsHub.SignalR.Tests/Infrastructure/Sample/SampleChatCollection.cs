namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// The test collection that shares one <see cref="SampleChatCluster"/> between the browser and Node client tests.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SampleChatCollection : ICollectionFixture<SampleChatCluster>
{
    /// <summary>The collection name.</summary>
    public const string Name = "SampleChat cluster";
}
