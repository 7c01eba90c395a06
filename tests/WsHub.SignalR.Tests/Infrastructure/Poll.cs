using Xunit.Sdk;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// Waits for a condition by polling it, instead of sleeping for a fixed time.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Polls a condition until it is true, and fails the test if it is still false after <paramref name="timeout"/>.
    /// </summary>
    /// <param name="condition">The condition to poll.</param>
    /// <param name="timeout">How long to poll.</param>
    /// <param name="because">What the condition means, for the failure message.</param>
    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);

        return WaitUntilAsync(() => Task.FromResult(condition()), timeout, because);
    }

    /// <inheritdoc cref="WaitUntilAsync(Func{bool}, TimeSpan, string)" />
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);

        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition().WaitAsync(timeout))
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new XunitException($"Timed out after {timeout.TotalSeconds} s waiting until {because}.");
            }

            await Task.Delay(Interval);
        }
    }
}
