namespace SampleChat;

/// <summary>
/// The users in a room on every instance, returned by <see cref="ChatHub.GetRoomMembers"/>.
/// </summary>
/// <param name="Room">The room name.</param>
/// <param name="Users">The user names, sorted and each listed once, even when a user has several connections.</param>
/// <param name="ConnectionCount">The number of connections in the room that were looked at.</param>
/// <param name="Truncated">True when the room has more than <see cref="RoomMemberLookup.MaxConnections"/> connections
/// and the list stops there.</param>
public sealed record RoomMembers(string Room, IReadOnlyList<string> Users, int ConnectionCount, bool Truncated);
