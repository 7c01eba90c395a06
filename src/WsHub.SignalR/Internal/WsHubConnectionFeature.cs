namespace WsHub.SignalR.Internal;

/// <summary>
/// Per-connection state of the backplane: the groups a connection is in, compared ordinally and case-sensitively.
/// </summary>
internal sealed class WsHubConnectionFeature
{
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
    private bool _closed;
    private long _backlogBytes;
    private int _aborted;

    /// <summary>Adds bytes that wait to be written and returns the new total.</summary>
    public long AddBacklog(long bytes) => Interlocked.Add(ref _backlogBytes, bytes);

    /// <summary>Marks the connection as aborted for being slow; true only for the first caller.</summary>
    public bool TryMarkAborted() => Interlocked.Exchange(ref _aborted, 1) == 0;

    /// <summary>Records a group; false when the connection is already in it or has disconnected.</summary>
    public bool TryAddGroup(string groupName)
    {
        lock (_groups)
        {
            return !_closed && _groups.Add(groupName);
        }
    }

    public bool RemoveGroup(string groupName)
    {
        lock (_groups)
        {
            return _groups.Remove(groupName);
        }
    }

    public string[] GetGroups()
    {
        lock (_groups)
        {
            return _groups.ToArray();
        }
    }

    /// <summary>Returns the groups and refuses later additions, because the connection has disconnected.</summary>
    public string[] TakeGroups()
    {
        lock (_groups)
        {
            _closed = true;
            var groups = _groups.ToArray();
            _groups.Clear();
            return groups;
        }
    }
}
