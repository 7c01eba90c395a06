using System.Collections.Concurrent;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Group commands sent to other instances that wait for an acknowledgement, keyed by command id.
/// </summary>
internal sealed class PendingAcks
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _pending = new();
    private long _lastId;

    public (long Id, Task Acknowledged) Create()
    {
        var id = Interlocked.Increment(ref _lastId);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        return (id, completion.Task);
    }

    public void Acknowledge(long id)
    {
        if (_pending.TryRemove(id, out var completion))
        {
            completion.TrySetResult();
        }
    }

    public void Remove(long id)
    {
        _pending.TryRemove(id, out _);
    }
}
