namespace WsHub.SignalR.Internal;

/// <summary>One message of a history group, from its channel or its stream.</summary>
internal sealed record HistoryEntry(StreamOffset Offset, BackplaneEnvelope Envelope)
{
    /// <summary>The hub message, shared by every connection it is written to.</summary>
    public OutgoingMessage Message { get; } = new(Envelope.Messages ?? []);
}
