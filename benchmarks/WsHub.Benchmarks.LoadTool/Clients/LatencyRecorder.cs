using System.Diagnostics;

namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Records the time from send to receipt of each delivery while enabled, optionally for some receivers only.
/// </summary>
internal sealed class LatencyRecorder(Func<int, bool>? includeReceiver = null) : IDeliverySink
{
    private readonly Lock _lock = new();
    private readonly List<long> _ticks = new(capacity: 1 << 16);
    private volatile bool _enabled;

    public void Enable() => _enabled = true;

    public void Disable() => _enabled = false;

    public void OnDelivery(int receiver, long sentTimestamp, long sequence)
    {
        if (!_enabled || (includeReceiver is not null && !includeReceiver(receiver)))
        {
            return;
        }

        var elapsed = Stopwatch.GetTimestamp() - sentTimestamp;
        lock (_lock)
        {
            _ticks.Add(elapsed);
        }
    }

    /// <summary>Returns the recorded latencies in milliseconds, sorted.</summary>
    public double[] SortedMilliseconds()
    {
        long[] copy;
        lock (_lock)
        {
            copy = [.. _ticks];
        }

        Array.Sort(copy);
        return copy.Select(t => t * 1000.0 / Stopwatch.Frequency).ToArray();
    }
}
