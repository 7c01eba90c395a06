using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR.Internal;

/// <summary>
/// A hub message serialised once per hub protocol in use. Local connections and the envelope for other instances
/// share the same bytes, so every connection receives what the sender serialised.
/// </summary>
internal sealed class OutgoingMessage(SerializedMessage[] messages)
{
    public IReadOnlyList<SerializedMessage> Messages { get; } = messages;

    public SerializedHubMessage Hub { get; } = new(messages);

    /// <summary>The largest of the serialised sizes, counted against a connection's backlog.</summary>
    public int Size { get; } = messages.Length == 0 ? 0 : messages.Max(message => message.Serialized.Length);
}
