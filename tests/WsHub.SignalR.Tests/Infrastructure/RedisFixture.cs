namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// One Redis server shared by every test class in <see cref="RedisCollection"/>. Tests isolate themselves with their
/// own channel prefix (<see cref="TestPrefix"/>).
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _redis;

    /// <summary>The shared server.</summary>
    public RedisServer Redis => _redis ?? throw new InvalidOperationException("The Redis fixture has not started.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
