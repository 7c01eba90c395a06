namespace SampleChat;

/// <summary>
/// A notice to the members of a room that a user joined or left it.
/// </summary>
/// <param name="Room">The room name.</param>
/// <param name="User">The user who joined or left.</param>
/// <param name="Joined">True when the user joined, false when the user left.</param>
/// <param name="Instance">The name of the instance that the user is connected to.</param>
public sealed record RoomNotice(string Room, string User, bool Joined, string Instance);
