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
