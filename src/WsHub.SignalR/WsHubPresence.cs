using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

/// <summary>
/// Answers presence questions for every instance of one hub from the registry in Redis: whether a connection or user
/// is online, the members of a group, the groups of a connection and the live instances. Each query costs at most
/// two Redis round trips and none scans the keyspace.
/// </summary>
/// <remarks>
/// The registry follows <see cref="HubLifetimeManager{THub}.OnConnectedAsync"/>, group changes and disconnects as
/// they complete. Connections of an instance that died stay listed until a live instance removes it, which takes
/// at most <see cref="WsHubOptions.InstanceTimeout"/> plus one <see cref="WsHubOptions.HeartbeatInterval"/>.
/// </remarks>
/// <typeparam name="THub">The hub type.</typeparam>
public sealed class WsHubPresence<THub>
    where THub : Hub
{
    private readonly WsHubLifetimeManager<THub> _manager;

    /// <summary>
    /// Creates the presence service over the hub's lifetime manager.
    /// </summary>
    /// <exception cref="InvalidOperationException">The hub does not use the WsHub backplane.</exception>
    public WsHubPresence(HubLifetimeManager<THub> lifetimeManager)
    {
        ArgumentNullException.ThrowIfNull(lifetimeManager);

        _manager = lifetimeManager as WsHubLifetimeManager<THub> ?? throw new InvalidOperationException(
            $"Presence needs the WsHub backplane, but hub {typeof(THub).Name} uses {lifetimeManager.GetType().Name}. "
            + "Call AddWsHubBackplane on the SignalR builder.");
    }

    /// <summary>
    /// Gets the id of the instance that holds a connection, or null when the connection is not connected anywhere.
    /// </summary>
    public async Task<string?> GetConnectionInstanceAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);

        var (database, names) = await _manager.GetPresenceAccessAsync(cancellationToken);
        var holder = await database.HashGetAsync(names.Connections, connectionId).WaitAsync(cancellationToken);
        return holder.IsNull ? null : (string?)holder;
    }

    /// <summary>Gets whether a connection is connected to any instance.</summary>
    public async Task<bool> IsConnectedAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        return await GetConnectionInstanceAsync(connectionId, cancellationToken) is not null;
    }

    /// <summary>Gets a user's connections on every instance.</summary>
    public async Task<WsHubUserPresence> GetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);

        var (database, names) = await _manager.GetPresenceAccessAsync(cancellationToken);
        var members = await database.SetMembersAsync(names.User(userId)).WaitAsync(cancellationToken);
        return new WsHubUserPresence(userId, ToStrings(members));
    }

    /// <summary>Gets the number of connections in a group, on every instance.</summary>
    public async Task<long> GetGroupMemberCountAsync(string groupName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupName);

        var (database, names) = await _manager.GetPresenceAccessAsync(cancellationToken);
        return await database.SetLengthAsync(names.GroupMembers(groupName)).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Gets one page of a group's members. Start with cursor zero and pass each <see cref="WsHubGroupMembersPage.NextCursor"/>
    /// until it is zero. A member that stays in the group for the whole walk is returned at least once.
    /// </summary>
    /// <param name="groupName">The group.</param>
    /// <param name="cursor">Zero for the first page, then the cursor of the previous page.</param>
    /// <param name="pageSize">About how many members a page holds; Redis may return more or fewer.</param>
    /// <param name="cancellationToken">Cancels the wait for Redis.</param>
    public async Task<WsHubGroupMembersPage> GetGroupMembersAsync(
        string groupName,
        long cursor = 0,
        int pageSize = 500,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        ArgumentOutOfRangeException.ThrowIfNegative(cursor);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);

        var (database, names) = await _manager.GetPresenceAccessAsync(cancellationToken);
        var result = await database.ExecuteAsync("SSCAN", (RedisKey)names.GroupMembers(groupName), cursor, "COUNT", pageSize)
            .WaitAsync(cancellationToken);
        var parts = (RedisResult[])result!;
        var members = (string[])parts[1]!;
        return new WsHubGroupMembersPage(members, long.Parse((string)parts[0]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Gets the groups a connection is in.</summary>
    public async Task<IReadOnlyList<string>> GetConnectionGroupsAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);

        var (database, names) = await _manager.GetPresenceAccessAsync(cancellationToken);
        return ToStrings(await database.SetMembersAsync(names.ConnectionGroups(connectionId)).WaitAsync(cancellationToken));
    }

    /// <summary>Gets the live instances of the hub with their state and connection counts.</summary>
    public async Task<IReadOnlyList<WsHubInstanceInfo>> GetInstancesAsync(CancellationToken cancellationToken = default)
    {
        var (database, names) = await _manager.GetPresenceAccessAsync(cancellationToken);
        var instanceIds = await database.SortedSetRangeByRankAsync(names.Instances).WaitAsync(cancellationToken);

        // The information hashes are read in one pipelined batch, the second round trip.
        var batch = database.CreateBatch();
        var reads = instanceIds.Select(id => batch.HashGetAllAsync(names.InstanceInfo(id!))).ToArray();
        batch.Execute();
        var infos = await Task.WhenAll(reads).WaitAsync(cancellationToken);

        var instances = new List<WsHubInstanceInfo>(instanceIds.Length);
        for (var i = 0; i < instanceIds.Length; i++)
        {
            // An instance without an information hash has missed heartbeats for a whole timeout and counts as dead.
            if (infos[i].Length == 0)
            {
                continue;
            }

            var fields = infos[i].ToDictionary(entry => (string)entry.Name!, entry => entry.Value);
            instances.Add(new WsHubInstanceInfo(
                (string)instanceIds[i]!,
                fields.GetValueOrDefault("state") == "draining" ? WsHubInstanceState.Draining : WsHubInstanceState.Running,
                (long)fields.GetValueOrDefault("connections"),
                DateTimeOffset.FromUnixTimeMilliseconds((long)fields.GetValueOrDefault("started")),
                DateTimeOffset.FromUnixTimeMilliseconds((long)fields.GetValueOrDefault("heartbeat"))));
        }

        return instances;
    }

    private static string[] ToStrings(RedisValue[] values)
    {
        var strings = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            strings[i] = values[i]!;
        }

        return strings;
    }
}
