namespace WsHub.SignalR.Tests.Cluster;

/// <summary>
/// What presence should report, built from the actions a test took: which instance holds each connection, its
/// user and its groups, and which connections are gone. Renders the same lines as <see cref="PresenceReader"/>.
/// </summary>
internal sealed class ExpectedPresence
{
    private readonly Dictionary<string, ExpectedConnection> _connections = new(StringComparer.Ordinal);
    private readonly HashSet<string> _disconnected = new(StringComparer.Ordinal);
    private readonly HashSet<string> _users = new(StringComparer.Ordinal);
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<string> _instances = new(StringComparer.Ordinal);

    /// <summary>Every connection id the test used, connected or gone.</summary>
    public IEnumerable<string> AllConnectionIds => _connections.Keys.Concat(_disconnected);

    public IEnumerable<string> Users => _users;

    public IEnumerable<string> Groups => _groups;

    public void AddInstance(TestServerProcess server) => _instances.Add(server.InstanceId);

    public void RemoveInstance(TestServerProcess server)
    {
        _instances.Remove(server.InstanceId);
        foreach (var (connectionId, _) in _connections.Where(entry => entry.Value.InstanceId == server.InstanceId).ToList())
        {
            Disconnect(connectionId);
        }
    }

    public void Connect(ClusterClient client, TestServerProcess server)
    {
        _instances.Add(server.InstanceId);
        var groups = new SortedSet<string>(StringComparer.Ordinal);
        _connections.Add(client.ConnectionId, new ExpectedConnection(server.InstanceId, client.User, groups));
        if (client.User is not null)
        {
            _users.Add(client.User);
        }
    }

    public void Join(ClusterClient client, string groupName)
    {
        _connections[client.ConnectionId].Groups.Add(groupName);
        _groups.Add(groupName);
    }

    public void Leave(ClusterClient client, string groupName) => _connections[client.ConnectionId].Groups.Remove(groupName);

    public void Disconnect(ClusterClient client) => Disconnect(client.ConnectionId);

    /// <summary>The expected lines, sorted ordinally.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>();
        foreach (var instanceId in _instances)
        {
            var count = _connections.Values.Count(connection => connection.InstanceId == instanceId);
            lines.Add(PresenceReader.InstanceLine(instanceId, WsHubInstanceState.Running, count));
        }

        foreach (var (connectionId, connection) in _connections)
        {
            lines.Add(PresenceReader.ConnectionLine(connectionId, connection.InstanceId, isConnected: true));
            lines.Add(PresenceReader.ConnectionGroupsLine(connectionId, connection.Groups));
        }

        foreach (var connectionId in _disconnected)
        {
            lines.Add(PresenceReader.ConnectionLine(connectionId, instanceId: null, isConnected: false));
            lines.Add(PresenceReader.ConnectionGroupsLine(connectionId, []));
        }

        foreach (var user in _users)
        {
            var ids = _connections.Where(entry => entry.Value.User == user).Select(entry => entry.Key);
            lines.Add(PresenceReader.UserLine(user, ids));
        }

        foreach (var group in _groups)
        {
            var members = _connections.Where(entry => entry.Value.Groups.Contains(group)).Select(entry => entry.Key).ToList();
            lines.Add(PresenceReader.GroupLine(group, members.Count, members));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private void Disconnect(string connectionId)
    {
        _connections.Remove(connectionId);
        _disconnected.Add(connectionId);
    }
}
