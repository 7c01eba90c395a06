using System.Collections.Concurrent;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Per-connection history state when some groups keep history: the resume key and one cursor per history group.
/// </summary>
internal sealed class HistoryConnectionFeature(string? resumeKey)
{
    private readonly object _lock = new();
    private readonly HashSet<string> _resumedGroups = new(StringComparer.Ordinal);
    private Task<ResumeState>? _resumeState;

    /// <summary>The client's resume key, or null when it sent none or an invalid one.</summary>
    public string? ResumeKey { get; } = resumeKey;

    public ConcurrentDictionary<string, HistoryCursor> Cursors { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Claims the stored position of a group for the first join of the connection. A later join of the same group
    /// starts live, because the connection has already received what came after that position.
    /// </summary>
    public bool TryTakeStoredPosition(string groupName)
    {
        lock (_resumedGroups)
        {
            return _resumedGroups.Add(groupName);
        }
    }

    /// <summary>
    /// Loads the stored positions once per connection, because a client joins its groups one after another and the
    /// positions do not change while it is connected. A failed load is retried by the next join.
    /// </summary>
    public Task<ResumeState> GetResumeStateAsync(Func<Task<ResumeState>> load)
    {
        lock (_lock)
        {
            if (_resumeState is null || _resumeState.IsFaulted || _resumeState.IsCanceled)
            {
                _resumeState = load();
            }

            return _resumeState;
        }
    }
}
