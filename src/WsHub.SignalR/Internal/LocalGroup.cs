using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace WsHub.SignalR.Internal;

/// <summary>
/// The local members of one group and the state of the group's Redis subscription. Members and subscription state
/// change under the lock of this object; delivery reads <see cref="Members"/> without it.
/// </summary>
internal sealed class LocalGroup(string name)
{
    public string Name { get; } = name;

    public HubConnectionStore Members { get; } = new();

    /// <summary>The subscription while the group has, or recently had, local members; null otherwise.</summary>
    public Task<ChannelMessageQueue>? Subscription { get; set; }

    /// <summary>The last unsubscribe, which a new subscribe waits for so the two never overlap in Redis.</summary>
    public Task Unsubscribed { get; set; } = Task.CompletedTask;

    /// <summary>Changes on every membership change, so a delayed unsubscribe can tell that it is stale.</summary>
    public int Version { get; set; }

    /// <summary>The history state of a group that keeps history, created by its first message; null otherwise.</summary>
    public HistoryGroupState? History { get; private set; }

    /// <summary>True once the group left the dictionary; a caller holding it must look the group up again.</summary>
    public bool Removed { get; set; }

    public HistoryGroupState GetOrCreateHistory()
    {
        lock (this)
        {
            return History ??= new HistoryGroupState();
        }
    }
}
