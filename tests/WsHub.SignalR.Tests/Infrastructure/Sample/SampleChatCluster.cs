namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// A Redis server and two SampleChat instances, A and B, that share it through the WsHub backplane.
/// </summary>
public sealed class SampleChatCluster : IAsyncLifetime
{
    private SampleRedisServer? _redis;
    private SampleChatFactory? _instanceA;
    private SampleChatFactory? _instanceB;

    /// <summary>The base address of instance A.</summary>
    public Uri UrlA { get; private set; } = null!;

    /// <summary>The base address of instance B.</summary>
    public Uri UrlB { get; private set; } = null!;

    /// <summary>The configuration string of the cluster's Redis server, such as <c>127.0.0.1:41234</c>.</summary>
    public string RedisConfiguration => _redis!.Configuration;

    /// <summary>The name instance A shows on its page.</summary>
    public string NameA => "instance-a";

    /// <summary>The name instance B shows on its page.</summary>
    public string NameB => "instance-b";

    /// <summary>The services of instance A.</summary>
    public IServiceProvider ServicesA => _instanceA!.Services;

    /// <summary>The id under which the backplane registers instance A in Redis.</summary>
    public string InstanceIdA => _instanceA!.WsHubInstanceId;

    /// <summary>The id under which the backplane registers instance B in Redis.</summary>
    public string InstanceIdB => _instanceB!.WsHubInstanceId;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _redis = await SampleRedisServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // A fresh prefix keeps this cluster's channels apart from any other test that shares a Redis by mistake.
        var channelPrefix = $"sample-{Guid.NewGuid():N}";
        _instanceA = new SampleChatFactory(_redis.Configuration, channelPrefix, NameA);
        _instanceB = new SampleChatFactory(_redis.Configuration, channelPrefix, NameB);
        UrlA = _instanceA.Start();
        UrlB = _instanceB.Start();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_instanceA is not null)
        {
            await _instanceA.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        if (_instanceB is not null)
        {
            await _instanceB.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
