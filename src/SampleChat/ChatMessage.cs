namespace SampleChat;

/// <summary>
/// A chat message as clients receive it.
/// </summary>
/// <param name="Id">
/// A unique id that the sender's instance gives the message. Pages use it to show a message once when it arrives
/// both live and in the history.
/// </param>
/// <param name="Kind">Where the message went: <c>room</c>, <c>direct</c> or <c>all</c>.</param>
/// <param name="From">The user name of the sender.</param>
/// <param name="FromConnectionId">The connection id of the sender, which a receiver can ping.</param>
/// <param name="Target">The room name for a room message, the receiving user for a direct message, otherwise null.</param>
/// <param name="Text">The message text.</param>
/// <param name="Instance">The name of the instance that the sender is connected to.</param>
/// <param name="SentAt">When the sender's instance received the message.</param>
public sealed record ChatMessage(
    Guid Id,
    string Kind,
    string From,
    string FromConnectionId,
    string? Target,
    string Text,
    string Instance,
    DateTimeOffset SentAt);
