using StackExchange.Redis;
using WsHub.SignalR;

namespace SampleChat;

/// <summary>
/// The list of rooms for the cluster view, kept in a Redis sorted set because WsHub presence can count a group's
/// members but cannot list groups.
/// </summary>
/// <remarks>
/// Every join raises the room's score by one. A reader that finds a room empty removes it only if the score is still
/// the one it read, so a join that lands between the count and the removal keeps the room listed: the join adds
/// the member before it raises the score.
/// The set is lost when Redis restarts without persistence or is flushed, so each instance also counts the local
/// connections in each room, and <see cref="RoomListRefresher"/> adds those rooms back every few seconds.
/// </remarks>
/// <param name="redis">The Redis connection the app shares with the backplane.</param>
/// <param name="keys">The sample's key names.</param>
/// <param name="presence">The presence service of the chat hub.</param>
public sealed class RoomDirectory(IConnectionMultiplexer redis, SampleRedisKeys keys, WsHubPresence<ChatHub> presence)
{
    /// <summary>The maximum number of rooms the cluster view lists.</summary>
    public const int MaxRooms = 200;

    private const string RemoveIfUnchangedScript = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if score and tonumber(score) == tonumber(ARGV[2]) then
          return redis.call('ZREM', KEYS[1], ARGV[1])
        end
        return 0
        """;

    // The number of connections on this instance in each room. Rooms without local connections are not stored.
    private readonly Dictionary<string, int> _localConnections = new(StringComparer.Ordinal);

    /// <summary>
    /// Records that someone joined a room. Call it after the connection is in the room's group.
    /// </summary>
    /// <param name="room">The validated room name.</param>
    /// <returns>A task that completes when Redis has stored the change.</returns>
    public Task RecordJoinAsync(string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);

        return redis.GetDatabase().SortedSetIncrementAsync(keys.Rooms, room, 1);
    }

    /// <summary>
    /// Counts one more connection of this instance in a room. Call it once per connection and room.
    /// </summary>
    /// <param name="room">The validated room name.</param>
    public void AddLocalConnection(string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);

        lock (_localConnections)
        {
            _localConnections[room] = _localConnections.GetValueOrDefault(room) + 1;
        }
    }

    /// <summary>
    /// Counts one connection of this instance less in a room, after it left the room or disconnected.
    /// </summary>
    /// <param name="room">The validated room name.</param>
    public void RemoveLocalConnection(string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);

        lock (_localConnections)
        {
            var count = _localConnections.GetValueOrDefault(room) - 1;
            if (count > 0)
            {
                _localConnections[room] = count;
            }
            else
            {
                _localConnections.Remove(room);
            }
        }
    }

    /// <summary>
    /// Adds the rooms that have connections on this instance to the room list, with score 1, unless the list
    /// already contains them. Scores of listed rooms stay as they are.
    /// </summary>
    /// <returns>A task that completes when Redis has stored the rooms.</returns>
    public Task AddLocalRoomsAsync()
    {
        SortedSetEntry[] entries;
        lock (_localConnections)
        {
            entries = _localConnections.Keys.Select(room => new SortedSetEntry(room, 1)).ToArray();
        }

        if (entries.Length == 0)
        {
            return Task.CompletedTask;
        }

        return redis.GetDatabase().SortedSetAddAsync(keys.Rooms, entries, SortedSetWhen.NotExists);
    }

    /// <summary>
    /// Lists the rooms that have members, with the number of connections in each, sorted by name, and removes the
    /// rooms it finds empty.
    /// </summary>
    /// <param name="cancellationToken">Cancels the Redis reads.</param>
    /// <returns>At most <see cref="MaxRooms"/> rooms.</returns>
    public async Task<IReadOnlyList<ClusterRoom>> GetRoomsAsync(CancellationToken cancellationToken = default)
    {
        var database = redis.GetDatabase();

        // The most joined rooms come first, so the limit drops the least used ones.
        var entries = await database.SortedSetRangeByRankWithScoresAsync(keys.Rooms, 0, MaxRooms - 1, Order.Descending)
            .WaitAsync(cancellationToken);
        var counts = await Task.WhenAll(entries.Select(entry =>
            presence.GetGroupMemberCountAsync(ChatGroups.Room(entry.Element!), cancellationToken)));

        var rooms = new List<ClusterRoom>(entries.Length);
        var removals = new List<Task>();
        for (var i = 0; i < entries.Length; i++)
        {
            if (counts[i] > 0)
            {
                rooms.Add(new ClusterRoom(entries[i].Element!, counts[i]));
                continue;
            }

            removals.Add(database.ScriptEvaluateAsync(
                RemoveIfUnchangedScript,
                [keys.Rooms],
                [entries[i].Element, entries[i].Score]));
        }

        await Task.WhenAll(removals).WaitAsync(cancellationToken);
        return rooms.OrderBy(room => room.Name, StringComparer.Ordinal).ToArray();
    }
}
