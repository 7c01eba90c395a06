using System.Globalization;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace WsHub.SignalR.Tests.Cluster;

/// <summary>
/// A Redis server and several WsHub.TestServer processes that share it under a fresh channel prefix, plus the
/// clients a test connects. Disposing kills every process and writes the server logs to the test output.
/// </summary>
internal sealed class WsHubCluster : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly List<ClusterClient> _clients = [];

    private WsHubCluster(
        ITestOutputHelper output,
        RedisServerProcess redis,
        IReadOnlyList<TestServerProcess> servers,
        string prefix,
        ClusterTimings timings)
    {
        _output = output;
        Redis = redis;
        Servers = servers;
        Prefix = prefix;
        Timings = timings;
    }

    public RedisServerProcess Redis { get; }

    /// <summary>The servers, named A, B, C... in order.</summary>
    public IReadOnlyList<TestServerProcess> Servers { get; }

    /// <summary>The WsHub channel prefix of this cluster; every key the servers write starts with it.</summary>
    public string Prefix { get; }

    public ClusterTimings Timings { get; }

    /// <summary>Starts Redis and <paramref name="instanceCount"/> servers, and waits until each answers.</summary>
    public static async Task<WsHubCluster> StartAsync(int instanceCount, ITestOutputHelper output)
    {
        var timings = ClusterTimings.Fast;
        var prefix = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        var redis = await RedisServerProcess.StartAsync();
        var starts = Enumerable.Range(0, instanceCount)
            .Select(i => TestServerProcess.StartAsync(((char)('A' + i)).ToString(), redis.ConnectionString, prefix, timings))
            .ToArray();
        try
        {
            var servers = await Task.WhenAll(starts).WaitAsync(TimeSpan.FromSeconds(60));
            return new WsHubCluster(output, redis, servers, prefix, timings);
        }
        catch
        {
            foreach (var start in starts.Where(start => start.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }

            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects a client to one server, without automatic reconnect.</summary>
    public async Task<ClusterClient> ConnectAsync(TestServerProcess server, string? user)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(HubUrl(server.Port, user), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
            })
            .Build();
        return await StartClientAsync(connection, user, server.Name);
    }

    /// <summary>
    /// Connects a client with automatic reconnect whose connection attempts go to <paramref name="servers"/> in turn,
    /// starting with the first.
    /// </summary>
    public async Task<ClusterClient> ConnectWithRotationAsync(IReadOnlyList<TestServerProcess> servers, string user)
    {
        var rotation = new EndpointRotation(servers);
        var connection = new HubConnectionBuilder()
            .WithUrl(HubUrl(servers[0].Port, user), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.WebSocketFactory = async (context, cancellationToken) =>
                {
                    var target = new UriBuilder(context.Uri) { Port = rotation.Next().Port }.Uri;
                    var socket = new ClientWebSocket();
                    try
                    {
                        await socket.ConnectAsync(target, cancellationToken);
                        return socket;
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                };
            })
            .WithAutomaticReconnect(new FastRetryPolicy())
            .Build();
        return await StartClientAsync(connection, user, "rotation");
    }

    /// <summary>Stops and forgets a client, so the server sees it disconnect.</summary>
    public async Task DisconnectAsync(ClusterClient client)
    {
        lock (_clients)
        {
            _clients.Remove(client);
        }

        await client.Connection.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await client.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        ClusterClient[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients.Select(client => client.DisposeAsync().AsTask()));
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
            _output.WriteLine($"--- server {server.Name} ({server.InstanceId}) log ---");
            foreach (var line in server.LogLines)
            {
                _output.WriteLine(line);
            }
        }

        await Redis.DisposeAsync();
    }

    private static string HubUrl(int port, string? user)
    {
        var url = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/hub";
        return user is null ? url : url + "?user=" + Uri.EscapeDataString(user);
    }

    private async Task<ClusterClient> StartClientAsync(HubConnection connection, string? user, string serverName)
    {
        var client = new ClusterClient(connection, user, serverName + "-" + (user ?? "anonymous"));
        lock (_clients)
        {
            _clients.Add(client);
        }

        await client.StartAsync();
        return client;
    }
}
