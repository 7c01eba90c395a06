namespace WsHub.SignalR.Internal;

/// <summary>
/// What one instance received of a history group: the last stream offset delivered to its local members, and the
/// messages held back while it catches up after a Redis outage. Changes under the lock of this object.
/// </summary>
internal sealed class HistoryGroupState
{
    /// <summary>The offset of the last message delivered from the group's channel or stream; null before the first.</summary>
    public StreamOffset? Last { get; set; }

    /// <summary>Messages from the channel that wait for the catch-up read; null when no catch-up runs.</summary>
    public List<HistoryEntry>? Held { get; set; }
}
