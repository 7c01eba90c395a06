using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Processes;
using WsHub.Benchmarks.LoadTool.Serving;

namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Group members connected over all instances. Member i joins group <c>i % groups</c> on instance
/// <c>(i / groups) % instances</c>, so that the members of every group spread over the instances.
/// </summary>
internal sealed class GroupAudience : IAsyncDisposable
{
    private readonly List<HubConnection> _connections;
    private readonly int _groups;
    private readonly string _groupPrefix;
    private volatile IDeliverySink? _sink;

    private GroupAudience(List<HubConnection> connections, int groups, string groupPrefix)
    {
        _connections = connections;
        _groups = groups;
        _groupPrefix = groupPrefix;
    }

    public int Count => _connections.Count;

    /// <summary>The sink that receives deliveries from now on. Null drops them.</summary>
    public IDeliverySink? Sink
    {
        get => _sink;
        set => _sink = value;
    }

    /// <summary>The number of members whose connection is no longer connected, for example because a server aborted it.</summary>
    public int DisconnectedCount => _connections.Count(c => c.State != HubConnectionState.Connected);

    public string GroupName(int group) => _groupPrefix + group.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public int GroupOf(int member) => member % _groups;

    public static async Task<GroupAudience> ConnectAsync(
        ClientFactory factory,
        IReadOnlyList<ServerInstance> instances,
        int members,
        int groups,
        string groupPrefix,
        CancellationToken cancellationToken)
    {
        var connections = new HubConnection?[members];
        var audience = new GroupAudience([], groups, groupPrefix);
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, members),
                new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
                async (member, token) =>
                {
                    var instance = instances[member / groups % instances.Count];
                    var connection = factory.Create(instance.HubUrl);
                    connections[member] = connection;
                    connection.On<long, long, byte[]>(
                        BenchHub.ReceiveMethod,
                        (sent, sequence, _) => audience._sink?.OnDelivery(member, sent, sequence));
                    await connection.StartAsync(token).WaitAsync(ClientFactory.OperationTimeout, token);
                    await connection.InvokeAsync("Join", audience.GroupName(member % groups), token)
                        .WaitAsync(ClientFactory.OperationTimeout, token);
                });
        }
        catch
        {
            await ClientFactory.DisposeAllAsync(connections.OfType<HubConnection>());
            throw;
        }

        audience._connections.AddRange(connections.Select(c => c!));
        return audience;
    }

    public async ValueTask DisposeAsync()
    {
        _sink = null;
        await ClientFactory.DisposeAllAsync(_connections);
    }
}
