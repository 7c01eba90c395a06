using StackExchange.Redis;

namespace WsHub.SignalR.Internal;

/// <summary>
/// The cluster registry in Redis: live instances with heartbeats, the instance that holds each connection, and
/// each user's connections. Routing a message to remote connections or users goes through it.
/// </summary>
internal sealed class InstanceRegistry(IDatabase database, RedisNames names, string instanceId)
{
    // Lua's unpack has a stack limit of a few thousand values, so long id lists go in chunks.
    private const int MaxIdsPerScript = 1000;

    private readonly RedisValue _instanceId = instanceId;
    private readonly RedisValue _instanceChannelPrefix = names.InstanceChannelPrefix;
    private readonly RedisValue _userKeyPrefix = names.UserKeyPrefix;
    private readonly RedisKey _instanceConnections = names.InstanceConnections(instanceId);
    private readonly RedisValue _groupMembersKeyPrefix = names.GroupMembersKeyPrefix;
    private readonly RedisValue _connectionGroupsKeyPrefix = names.ConnectionGroupsKeyPrefix;

    public IDatabase Database => database;

    public Task RegisterConnectionAsync(string connectionId, string? userId)
    {
        RedisKey[] keys = userId is null
            ? [names.Connections, _instanceConnections]
            : [names.Connections, _instanceConnections, names.User(userId)];
        return database.ScriptEvaluateAsync(RegistryScripts.RegisterConnection, keys, [connectionId, _instanceId, userId ?? string.Empty]);
    }

    public Task UnregisterConnectionAsync(string connectionId, string? userId)
    {
        RedisKey[] keys = userId is null
            ? [names.Connections, _instanceConnections, names.ConnectionGroups(connectionId)]
            : [names.Connections, _instanceConnections, names.ConnectionGroups(connectionId), names.User(userId)];
        return database.ScriptEvaluateAsync(RegistryScripts.UnregisterConnection, keys, [connectionId, _instanceId, _groupMembersKeyPrefix]);
    }

    public Task JoinGroupAsync(string connectionId, string groupName)
    {
        return database.ScriptEvaluateAsync(
            RegistryScripts.JoinGroup,
            [names.GroupMembers(groupName), names.ConnectionGroups(connectionId)],
            [connectionId, groupName]);
    }

    public Task LeaveGroupAsync(string connectionId, string groupName)
    {
        return database.ScriptEvaluateAsync(
            RegistryScripts.LeaveGroup,
            [names.GroupMembers(groupName), names.ConnectionGroups(connectionId)],
            [connectionId, groupName]);
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> to the instances that hold the connections, in one round trip per
    /// thousand ids. Returns the holder of each connection, null for one that exists nowhere.
    /// </summary>
    public async Task<string?[]> RouteToConnectionsAsync(IReadOnlyList<string> connectionIds, byte[] payload)
    {
        var holders = new string?[connectionIds.Count];
        for (var start = 0; start < connectionIds.Count; start += MaxIdsPerScript)
        {
            var count = Math.Min(MaxIdsPerScript, connectionIds.Count - start);
            var arguments = new RedisValue[3 + count];
            arguments[0] = _instanceChannelPrefix;
            arguments[1] = payload;
            arguments[2] = _instanceId;
            for (var i = 0; i < count; i++)
            {
                arguments[3 + i] = connectionIds[start + i];
            }

            var result = await database.ScriptEvaluateAsync(RegistryScripts.RouteToConnections, [names.Connections], arguments);
            var values = (RedisResult[])result!;
            for (var i = 0; i < values.Length; i++)
            {
                holders[start + i] = values[i].IsNull ? null : (string?)values[i];
            }
        }

        return holders;
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> to the other instances that hold a connection of one of the users.
    /// </summary>
    public async Task RouteToUsersAsync(IReadOnlyList<string> userIds, byte[] payload)
    {
        for (var start = 0; start < userIds.Count; start += MaxIdsPerScript)
        {
            var count = Math.Min(MaxIdsPerScript, userIds.Count - start);
            var arguments = new RedisValue[4 + count];
            arguments[0] = _instanceChannelPrefix;
            arguments[1] = payload;
            arguments[2] = _instanceId;
            arguments[3] = _userKeyPrefix;
            for (var i = 0; i < count; i++)
            {
                arguments[4 + i] = userIds[start + i];
            }

            await database.ScriptEvaluateAsync(RegistryScripts.RouteToUsers, [names.Connections], arguments);
        }
    }

    public async Task<HeartbeatResult> HeartbeatAsync(
        TimeSpan instanceTimeout,
        DateTimeOffset startedAt,
        string state,
        int connectionCount)
    {
        var timeoutMilliseconds = (long)instanceTimeout.TotalMilliseconds;
        var result = await database.ScriptEvaluateAsync(
            RegistryScripts.Heartbeat,
            [names.Instances, names.InstanceInfo(instanceId), _instanceConnections],
            [_instanceId, timeoutMilliseconds, timeoutMilliseconds, startedAt.ToUnixTimeMilliseconds(), state, connectionCount]);

        var parts = (RedisResult[])result!;
        return new HeartbeatResult(
            WasMissing: (long)parts[0] == 1,
            RegisteredConnections: (long)parts[1],
            DeadInstances: (string[])parts[2]!,
            LiveInstances: (string[])parts[3]!);
    }

    /// <summary>
    /// Removes an instance and all it registered. With a <paramref name="deadAfter"/> of zero the removal is
    /// unconditional, for an instance leaving on its own. Returns the connections removed, or -1 when the instance
    /// turned out to be alive.
    /// </summary>
    public async Task<long> RemoveInstanceAsync(string removedInstanceId, TimeSpan deadAfter)
    {
        var result = await database.ScriptEvaluateAsync(
            RegistryScripts.RemoveInstance,
            [names.Instances, names.Connections, names.InstanceInfo(removedInstanceId), names.InstanceConnections(removedInstanceId)],
            [removedInstanceId, _userKeyPrefix, (long)deadAfter.TotalMilliseconds, _groupMembersKeyPrefix, _connectionGroupsKeyPrefix]);
        return (long)result;
    }
}
