namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// Several <see cref="BackplaneServer"/> apps on one Redis server with one shared channel prefix, standing in for a
/// scaled-out deployment.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<BackplaneServer> _servers;
    private readonly List<TestClient> _clients = [];

    private TestCluster(RedisServer redis, string channelPrefix, List<BackplaneServer> servers)
    {
        Redis = redis;
        ChannelPrefix = channelPrefix;
        _servers = servers;
    }

    /// <summary>The Redis server of the cluster.</summary>
    public RedisServer Redis { get; }

    /// <summary>The channel prefix of every server of the cluster.</summary>
    public string ChannelPrefix { get; }

    /// <summary>The servers, in start order.</summary>
    public IReadOnlyList<BackplaneServer> Servers => _servers;

    /// <summary>The first server.</summary>
    public BackplaneServer A => _servers[0];

    /// <summary>The second server.</summary>
    public BackplaneServer B => _servers[1];

    /// <summary>
    /// Starts <paramref name="serverCount"/> servers on <paramref name="redis"/> with a new channel prefix.
    /// </summary>
    /// <param name="redis">The Redis server.</param>
    /// <param name="serverCount">How many servers to start.</param>
    /// <param name="configure">Changes the options of each server, given its index.</param>
    public static async Task<TestCluster> StartAsync(
        RedisServer redis,
        int serverCount = 2,
        Action<int, BackplaneServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(redis);

        var prefix = TestPrefix.Create();
        var servers = new List<BackplaneServer>();
        try
        {
            for (var index = 0; index < serverCount; index++)
            {
                var options = new BackplaneServerOptions { RedisConfiguration = redis.ConnectionString, ChannelPrefix = prefix };
                configure?.Invoke(index, options);
                servers.Add(await BackplaneServer.StartAsync(options));
            }
        }
        catch
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            throw;
        }

        return new TestCluster(redis, prefix, servers);
    }

    /// <summary>
    /// Connects a client to one server; the cluster disposes it.
    /// </summary>
    public async Task<TestClient> ConnectAsync(BackplaneServer server, ClientProtocol protocol = ClientProtocol.Json, string? userId = null)
    {
        ArgumentNullException.ThrowIfNull(server);

        var client = await server.ConnectAsync(protocol, userId);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>
    /// Disposes the clients, then the servers.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        TestClient[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients.Select(client => client.DisposeAsync().AsTask()));
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
