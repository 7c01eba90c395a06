namespace WsHub.SignalR.Tests.Cluster;

/// <summary>Repeats a read until its result satisfies a condition or a deadline passes.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Reads until <paramref name="isDone"/> holds or <paramref name="timeout"/> passes, and returns the last value
    /// read either way, so the caller asserts on it and a failure shows what was seen last.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> isDone, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read().WaitAsync(TimeSpan.FromSeconds(10));
            if (isDone(value) || DateTime.UtcNow >= deadline)
            {
                return value;
            }

            await Task.Delay(Interval);
        }
    }
}
