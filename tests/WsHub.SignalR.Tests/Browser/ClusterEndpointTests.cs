using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using SampleChat;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure.Sample;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Checks <c>GET /api/cluster</c>, the source of the cluster view, and <c>GET /healthz</c>, which the gateway
/// probes, against connections whose instances and rooms the test sets up.
/// </summary>
[Collection(SampleChatCollection.Name)]
public sealed class ClusterEndpointTests(SampleChatCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly List<HubConnection> _connections = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync().AsTask().WaitAsync(StepTimeout);
        }

        _http.Dispose();
    }

    [Fact]
    public async Task ClusterEndpoint_KnownConnectionsAndRooms_ReturnsThem()
    {
        var talk = $"talk-{_suffix}";
        var quiet = $"quiet-{_suffix}";
        var alice = await ConnectAsync(cluster.UrlA, $"alice-{_suffix}");
        var bob = await ConnectAsync(cluster.UrlB, $"bob-{_suffix}");
        var carol = await ConnectAsync(cluster.UrlB, $"carol-{_suffix}");
        await alice.InvokeAsync("JoinRoom", talk).WaitAsync(StepTimeout);
        await bob.InvokeAsync("JoinRoom", talk).WaitAsync(StepTimeout);
        await carol.InvokeAsync("JoinRoom", quiet).WaitAsync(StepTimeout);

        // Connection counts come from the heartbeats, every 2 seconds, so wait for one that includes these.
        var snapshot = await PollAsync(cluster.UrlA, root =>
            RoomCount(root, talk) == 2
            && RoomCount(root, quiet) == 1
            && Instance(root, cluster.NameA)?.GetProperty("connectionCount").GetInt64() == 1
            && Instance(root, cluster.NameB)?.GetProperty("connectionCount").GetInt64() == 2);

        snapshot.GetProperty("servedBy").GetString().Should().Be(cluster.NameA);
        snapshot.GetProperty("instances").GetArrayLength().Should().Be(2);
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, id) in new[] { (cluster.NameA, cluster.InstanceIdA), (cluster.NameB, cluster.InstanceIdB) })
        {
            var instance = Instance(snapshot, name);
            instance.Should().NotBeNull($"instance {name} runs");
            instance!.Value.GetProperty("instanceId").GetString().Should().Be(id);
            instance.Value.GetProperty("state").GetString().Should().Be("Running");
            instance.Value.GetProperty("startedAt").GetDateTimeOffset().Should().BeBefore(now);
            instance.Value.GetProperty("lastHeartbeat").GetDateTimeOffset().Should().BeCloseTo(now, TimeSpan.FromSeconds(10));
        }

        var generatedAt = snapshot.GetProperty("generatedAt").GetDateTimeOffset();
        generatedAt.Should().BeCloseTo(now, TimeSpan.FromSeconds(10));

        // Instance B reads the same registry, so it reports the same rooms.
        var fromB = await PollAsync(cluster.UrlB, root => RoomCount(root, talk) == 2 && RoomCount(root, quiet) == 1);
        fromB.GetProperty("servedBy").GetString().Should().Be(cluster.NameB);

        // An empty room drops out of the list.
        await carol.InvokeAsync("LeaveRoom", quiet).WaitAsync(StepTimeout);
        var afterLeave = await PollAsync(cluster.UrlA, root => RoomCount(root, quiet) is null);
        RoomCount(afterLeave, talk).Should().Be(2);
    }

    [Fact]
    public async Task ClusterEndpoint_RoomEmptiedAndJoinedAgain_ListsItAgain()
    {
        var room = $"again-{_suffix}";
        var alice = await ConnectAsync(cluster.UrlA, $"alice-{_suffix}");
        await alice.InvokeAsync("JoinRoom", room).WaitAsync(StepTimeout);
        await PollAsync(cluster.UrlA, root => RoomCount(root, room) == 1);

        await alice.InvokeAsync("LeaveRoom", room).WaitAsync(StepTimeout);
        await PollAsync(cluster.UrlA, root => RoomCount(root, room) is null);

        var bob = await ConnectAsync(cluster.UrlB, $"bob-{_suffix}");
        await bob.InvokeAsync("JoinRoom", room).WaitAsync(StepTimeout);
        var snapshot = await PollAsync(cluster.UrlB, root => RoomCount(root, room) == 1);
        RoomCount(snapshot, room).Should().Be(1);
    }

    [Fact]
    public async Task RoomList_EntryLost_ListsRoomAgain()
    {
        var room = $"restored-{_suffix}";
        var alice = await ConnectAsync(cluster.UrlA, $"alice-{_suffix}");
        await alice.InvokeAsync("JoinRoom", room).WaitAsync(StepTimeout);
        await PollAsync(cluster.UrlA, root => RoomCount(root, room) == 1);

        // Redis loses the room list entry, as after a restart without persistence, and no client joins the room again.
        var keys = cluster.ServicesA.GetRequiredService<SampleRedisKeys>();
        var redis = cluster.ServicesA.GetRequiredService<IConnectionMultiplexer>();
        (await redis.GetDatabase().SortedSetRemoveAsync(keys.Rooms, room).WaitAsync(StepTimeout)).Should().BeTrue();

        var snapshot = await PollAsync(cluster.UrlA, root => RoomCount(root, room) == 1);
        RoomCount(snapshot, room).Should().Be(1, "the instance with a member in the room adds it back to the room list");
    }

    [Fact]
    public async Task Healthz_RunningInstance_ReturnsOk()
    {
        using var response = await _http.GetAsync(new Uri(cluster.UrlA, "healthz")).WaitAsync(StepTimeout);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync().WaitAsync(StepTimeout)).Should().Be("Healthy");
    }

    private async Task<HubConnection> ConnectAsync(Uri instance, string user)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(instance, $"chat?user={Uri.EscapeDataString(user)}"))
            .Build();
        _connections.Add(connection);
        await connection.StartAsync().WaitAsync(StepTimeout);
        return connection;
    }

    // Polls the endpoint until the condition is true and returns that snapshot. Fails with the last body after 15 s.
    private async Task<JsonElement> PollAsync(Uri instance, Func<JsonElement, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        var lastBody = string.Empty;
        while (deadline.Elapsed < StepTimeout)
        {
            using var response = await _http.GetAsync(new Uri(instance, "api/cluster")).WaitAsync(StepTimeout);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            lastBody = await response.Content.ReadAsStringAsync().WaitAsync(StepTimeout);
            var root = JsonDocument.Parse(lastBody).RootElement.Clone();
            if (condition(root))
            {
                return root;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException(
            $"GET {instance}api/cluster did not reach the expected state within {StepTimeout.TotalSeconds} s. Last body: {lastBody}");
    }

    private static long? RoomCount(JsonElement root, string room)
    {
        foreach (var entry in root.GetProperty("rooms").EnumerateArray())
        {
            if (entry.GetProperty("name").GetString() == room)
            {
                return entry.GetProperty("connectionCount").GetInt64();
            }
        }

        return null;
    }

    private static JsonElement? Instance(JsonElement root, string name)
    {
        foreach (var entry in root.GetProperty("instances").EnumerateArray())
        {
            if (entry.GetProperty("name").GetString() == name)
            {
                return entry;
            }
        }

        return null;
    }
}
