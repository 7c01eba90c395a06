namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Records which sequence numbers each receiver got, to count lost and duplicated deliveries.
/// </summary>
internal sealed class SequenceRecorder(int receivers) : IDeliverySink
{
    private readonly HashSet<long>[] _received = Enumerable.Range(0, receivers).Select(_ => new HashSet<long>()).ToArray();
    private long _duplicates;
    private long _total;

    /// <summary>Deliveries with a sequence number a receiver already had.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>All deliveries, duplicates included.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void OnDelivery(int receiver, long sentTimestamp, long sequence)
    {
        Interlocked.Increment(ref _total);
        var set = _received[receiver];
        lock (set)
        {
            if (!set.Add(sequence))
            {
                Interlocked.Increment(ref _duplicates);
            }
        }
    }

    /// <summary>Returns the distinct deliveries whose sequence number lies in [first, last].</summary>
    public long CountDistinct(long first, long last)
    {
        long count = 0;
        foreach (var set in _received)
        {
            lock (set)
            {
                count += set.Count(s => s >= first && s <= last);
            }
        }

        return count;
    }

    /// <summary>Returns, per receiver, the distinct deliveries whose sequence number lies in [first, last].</summary>
    public long[] CountDistinctPerReceiver(long first, long last)
    {
        var counts = new long[_received.Length];
        for (var i = 0; i < _received.Length; i++)
        {
            var set = _received[i];
            lock (set)
            {
                counts[i] = set.Count(s => s >= first && s <= last);
            }
        }

        return counts;
    }

    /// <summary>Returns true when every receiver has a sequence number in [first, last].</summary>
    public bool AllReceivedAny(long first, long last)
    {
        foreach (var set in _received)
        {
            lock (set)
            {
                if (!set.Any(s => s >= first && s <= last))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
