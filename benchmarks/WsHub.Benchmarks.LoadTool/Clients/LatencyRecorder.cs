using System.Diagnostics;

namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Records the time from the due time of a message to its receipt, for messages from a given sequence number on
/// and optionally for some receivers only. Filler and warm-up messages have lower sequence numbers.
/// </summary>
internal sealed class LatencyRecorder(long firstMeasuredSequence, Func<int, bool>? includeReceiver = null) : IDeliverySink
{
    private readonly Lock _lock = new();
    private readonly List<double> _milliseconds = new(capacity: 1 << 16);

    /// <summary>The number of latencies recorded so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _milliseconds.Count;
            }
        }
    }

    public void OnDelivery(int receiver, long sentTimestamp, long sequence)
    {
        if (sequence < firstMeasuredSequence || (includeReceiver is not null && !includeReceiver(receiver)))
        {
            return;
        }

        var elapsed = (Stopwatch.GetTimestamp() - sentTimestamp) * 1000.0 / Stopwatch.Frequency;
        lock (_lock)
        {
            _milliseconds.Add(elapsed);
        }
    }

    /// <summary>
    /// Adds <paramref name="count"/> deliveries that never arrived, each with a lower bound of its latency.
    /// </summary>
    public void AddUndelivered(long count, double lowerBoundMilliseconds)
    {
        lock (_lock)
        {
            for (long i = 0; i < count; i++)
            {
                _milliseconds.Add(lowerBoundMilliseconds);
            }
        }
    }

    /// <summary>Returns the recorded latencies in milliseconds, sorted.</summary>
    public double[] SortedMilliseconds()
    {
        double[] copy;
        lock (_lock)
        {
            copy = [.. _milliseconds];
        }

        Array.Sort(copy);
        return copy;
    }
}
