namespace SampleChat;

/// <summary>
/// Names of the SignalR groups the chat uses. A room and a user live in separate name spaces, so a room called
/// <c>user:bob</c> cannot pass for the identity group of the user <c>bob</c>.
/// </summary>
public static class ChatGroups
{
    private const string RoomPrefix = "room:";
    private const string UserPrefix = "user:";

    /// <summary>Returns the group of a room.</summary>
    /// <param name="room">The validated room name.</param>
    /// <returns>The group name.</returns>
    public static string Room(string room) => RoomPrefix + room;

    /// <summary>
    /// Returns whether a group is the group of a room. The backplane keeps a message history for these groups only,
    /// because a user's identity group carries no messages.
    /// </summary>
    /// <param name="group">The group name.</param>
    /// <returns>True for a room group.</returns>
    public static bool IsRoom(string group)
    {
        ArgumentNullException.ThrowIfNull(group);

        return group.StartsWith(RoomPrefix, StringComparison.Ordinal);
    }

    /// <summary>
    /// Returns the identity group of a user. Every connection of the user is its only member on that connection,
    /// so the groups of a connection tell which user it belongs to on any instance.
    /// </summary>
    /// <param name="user">The validated user name.</param>
    /// <returns>The group name.</returns>
    public static string User(string user) => UserPrefix + user;

    /// <summary>Finds the user name in the list of a connection's groups.</summary>
    /// <param name="groups">The groups of one connection.</param>
    /// <returns>The user name, or null when the connection is in no identity group.</returns>
    public static string? FindUser(IEnumerable<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);

        var group = groups.FirstOrDefault(name => name.StartsWith(UserPrefix, StringComparison.Ordinal));
        return group?[UserPrefix.Length..];
    }
}
