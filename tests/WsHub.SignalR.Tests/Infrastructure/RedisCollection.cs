namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// The xunit collection of tests that share one <see cref="RedisFixture"/>. Add
/// <c>[Collection(RedisCollection.Name)]</c> to a test class to join it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Redis";
}
