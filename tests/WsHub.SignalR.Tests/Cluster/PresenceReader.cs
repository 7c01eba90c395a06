namespace WsHub.SignalR.Tests.Cluster;

/// <summary>
/// Reads every presence endpoint of one server for a set of connections, users and groups, as sorted text lines
/// that compare directly with <see cref="ExpectedPresence.Lines"/>, so a mismatch shows the exact entry.
/// </summary>
internal static class PresenceReader
{
    public static async Task<IReadOnlyList<string>> ReadLinesAsync(TestServerProcess server, ExpectedPresence expected)
    {
        var instances = server.GetInstancesAsync();
        var connections = expected.AllConnectionIds.Select(server.GetConnectionAsync).ToArray();
        var connectionGroups = expected.AllConnectionIds.Select(server.GetConnectionGroupsAsync).ToArray();
        var users = expected.Users.Select(server.GetUserAsync).ToArray();
        var groups = expected.Groups.Select(server.GetGroupAsync).ToArray();

        var lines = new List<string>();
        lines.AddRange((await instances).Select(instance => InstanceLine(instance.InstanceId, instance.State, instance.ConnectionCount)));
        lines.AddRange((await Task.WhenAll(connections)).Select(c => ConnectionLine(c.ConnectionId, c.InstanceId, c.IsConnected)));
        lines.AddRange((await Task.WhenAll(connectionGroups)).Select(c => ConnectionGroupsLine(c.ConnectionId, c.Groups)));
        lines.AddRange((await Task.WhenAll(users)).Select(user => UserLine(user.UserId, user.ConnectionIds)));
        lines.AddRange((await Task.WhenAll(groups)).Select(group => GroupLine(group.GroupName, group.Count, group.Members)));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public static string InstanceLine(string instanceId, WsHubInstanceState state, long connectionCount) =>
        $"instance {instanceId}: {state}, {connectionCount} connections";

    public static string ConnectionLine(string connectionId, string? instanceId, bool isConnected) =>
        $"connection {connectionId}: on {instanceId ?? "no instance"}, connected={isConnected}";

    public static string ConnectionGroupsLine(string connectionId, IEnumerable<string> groups) =>
        $"connection {connectionId} groups: [{Join(groups)}]";

    public static string UserLine(string userId, IEnumerable<string> connectionIds) =>
        $"user {userId}: [{Join(connectionIds)}]";

    public static string GroupLine(string groupName, long count, IEnumerable<string> members) =>
        $"group {groupName}: count {count}, members [{Join(members)}]";

    private static string Join(IEnumerable<string> values) => string.Join(", ", values.Order(StringComparer.Ordinal));
}
