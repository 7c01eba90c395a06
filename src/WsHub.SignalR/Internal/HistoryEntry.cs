namespace WsHub.SignalR.Internal;

/// <summary>One message of a history group, from its channel or its stream.</summary>
internal sealed record HistoryEntry(StreamOffset Offset, BackplaneEnvelope Envelope);
