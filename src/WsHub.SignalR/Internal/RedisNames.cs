using StackExchange.Redis;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Names of the Redis channels and keys of one hub. Every name starts with <c>{prefix}:{hub}:</c> followed by a fixed
/// word, and a user-supplied name is only ever the last part, so two different names never map to the same channel
/// or key. All channels are literal, so glob characters in names never act as patterns.
/// </summary>
internal sealed class RedisNames
{
    private readonly string _base;

    public RedisNames(string prefix, string hubName)
    {
        _base = $"{prefix}:{hubName}:";
        All = RedisChannel.Literal(_base + "all");
        InstanceChannelPrefix = _base + "instance:";
        Instances = _base + "instances";
        Connections = _base + "connections";
        UserKeyPrefix = _base + "user:";
        InstanceKeyPrefix = _base + "instance:";
        GroupMembersKeyPrefix = _base + "members:";
        ConnectionGroupsKeyPrefix = _base + "connection-groups:";
    }

    /// <summary>The channel of messages for every connection of the hub.</summary>
    public RedisChannel All { get; }

    /// <summary>The start of an instance's channel name; the instance id follows.</summary>
    public string InstanceChannelPrefix { get; }

    /// <summary>The sorted set of live instances, scored by their last heartbeat in Redis server milliseconds.</summary>
    public RedisKey Instances { get; }

    /// <summary>The hash of connection id to the id of the instance that holds the connection.</summary>
    public RedisKey Connections { get; }

    /// <summary>The start of a user's key: a set of the user's connection ids.</summary>
    public string UserKeyPrefix { get; }

    /// <summary>The start of an instance's keys: its information hash and its hash of connection id to user id.</summary>
    public string InstanceKeyPrefix { get; }

    /// <summary>The start of a group's key: a set of the connection ids in the group, on any instance.</summary>
    public string GroupMembersKeyPrefix { get; }

    /// <summary>The start of a connection's key: a set of the groups the connection is in.</summary>
    public string ConnectionGroupsKeyPrefix { get; }

    public RedisChannel Group(string groupName) => RedisChannel.Literal(_base + "group:" + groupName);

    public RedisChannel Instance(string instanceId) => RedisChannel.Literal(InstanceChannelPrefix + instanceId);

    public RedisKey User(string userId) => UserKeyPrefix + userId;

    public RedisKey GroupMembers(string groupName) => GroupMembersKeyPrefix + groupName;

    public RedisKey ConnectionGroups(string connectionId) => ConnectionGroupsKeyPrefix + connectionId;

    public RedisKey InstanceInfo(string instanceId) => InstanceKeyPrefix + instanceId;

    public RedisKey InstanceConnections(string instanceId) => InstanceKeyPrefix + instanceId + ":connections";

    /// <summary>The stream of a history group's messages.</summary>
    public RedisKey History(string groupName) => _base + "history:" + groupName;

    /// <summary>The hash of a resume key's positions: <c>g:{group}</c> to offset, <c>c</c> and <c>live:{id}</c>.</summary>
    public RedisKey Resume(string resumeKey) => _base + "resume:" + resumeKey;
}
