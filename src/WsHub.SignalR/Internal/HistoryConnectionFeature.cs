using System.Collections.Concurrent;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Per-connection history state when some groups keep history: the resume key and one cursor per history group.
/// </summary>
internal sealed class HistoryConnectionFeature(string? resumeKey)
{
    private readonly object _lock = new();
    private Task<ResumeState>? _resumeState;

    /// <summary>The client's resume key, or null when it sent none or an invalid one.</summary>
    public string? ResumeKey { get; } = resumeKey;

    public ConcurrentDictionary<string, HistoryCursor> Cursors { get; } = new(StringComparer.Ordinal);

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
