namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Counts deliveries to all members.
/// </summary>
internal sealed class DeliveryCounter : IDeliverySink
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void OnDelivery(int receiver, long sentTimestamp, long sequence) => Interlocked.Increment(ref _count);

    /// <summary>Waits until no delivery arrives for <paramref name="quiet"/>, or until <paramref name="limit"/> passes.</summary>
    public async Task WaitForQuietAsync(TimeSpan quiet, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        var last = Count;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(quiet, cancellationToken);
            var now = Count;
            if (now == last)
            {
                return;
            }

            last = now;
        }
    }
}
