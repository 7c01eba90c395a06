using WsHub.SignalR;

namespace SampleChat;

/// <summary>
/// Lists the users in a room on every instance from WsHub presence.
/// </summary>
/// <remarks>
/// Presence stores a room's members as connection ids and has no call that maps a connection id to its user. The
/// hub therefore adds every connection to the identity group <see cref="ChatGroups.User"/> of its user, and this
/// lookup reads the groups of each room member to find that group. Both facts live in the WsHub registry, so the
/// list is the same on every instance, and the backplane removes the connections of an instance that stops or dies
/// without help from the app. The price is one group channel subscription per connected user on its instance, and
/// one Redis read per room member, which run concurrently.
/// </remarks>
/// <param name="presence">The presence service of the chat hub.</param>
public sealed class RoomMemberLookup(WsHubPresence<ChatHub> presence)
{
    /// <summary>The maximum number of connections one lookup reads, which bounds the cost of a very large room.</summary>
    public const int MaxConnections = 1000;

    private const int PageSize = 200;

    /// <summary>
    /// Reads the users in a room.
    /// </summary>
    /// <param name="room">The validated room name.</param>
    /// <param name="cancellationToken">Cancels the Redis reads.</param>
    /// <returns>The room's users.</returns>
    public async Task<RoomMembers> GetMembersAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);

        var group = ChatGroups.Room(room);
        var connectionIds = new HashSet<string>(StringComparer.Ordinal);
        var truncated = false;
        long cursor = 0;
        do
        {
            var page = await presence.GetGroupMembersAsync(group, cursor, PageSize, cancellationToken);
            connectionIds.UnionWith(page.ConnectionIds);
            cursor = page.NextCursor;
            if (connectionIds.Count > MaxConnections)
            {
                truncated = true;
                break;
            }
        }
        while (cursor != 0);

        var looked = connectionIds.Take(MaxConnections).ToArray();
        var groupsOfEach = await Task.WhenAll(
            looked.Select(connectionId => presence.GetConnectionGroupsAsync(connectionId, cancellationToken)));

        // A connection that disconnected between the two reads has no groups left and drops out here.
        var users = groupsOfEach
            .Select(ChatGroups.FindUser)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return new RoomMembers(room, users, looked.Length, truncated);
    }
}
