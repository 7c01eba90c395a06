namespace SampleChat;

/// <summary>
/// Names of the methods that the server calls on clients. The page and the test clients register handlers for them.
/// </summary>
public static class ClientMethods
{
    /// <summary>Receives a <see cref="ChatMessage"/> sent to a room the client has joined.</summary>
    public const string RoomMessage = "RoomMessage";

    /// <summary>Receives a <see cref="ChatMessage"/> sent to the client's user.</summary>
    public const string DirectMessage = "DirectMessage";

    /// <summary>Receives a <see cref="ChatMessage"/> sent to every connected client.</summary>
    public const string Broadcast = "Broadcast";

    /// <summary>
    /// Receives a <see cref="RoomNotice"/> when a user joins or leaves a room the client is in, also by disconnecting.
    /// Pages refetch the online list with <see cref="ChatHub.GetRoomMembers"/> when it arrives.
    /// </summary>
    public const string RoomNotice = "RoomNotice";

    /// <summary>Receives the sender's user name and returns a reply text, as a client result.</summary>
    public const string Ping = "Ping";
}
