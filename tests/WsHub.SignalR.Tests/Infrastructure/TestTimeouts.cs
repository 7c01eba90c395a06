namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// Upper bounds for awaits in tests. They are generous because the suite runs on small CI machines; a passing test
/// finishes far sooner.
/// </summary>
public static class TestTimeouts
{
    /// <summary>The bound of a single await: a send, a connect, a message arriving.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The time a recovery after a Redis restart may take: the reconnect back-off of StackExchange.Redis, the
    /// self-probe and the wait for the other instances, all slower on a loaded 2-core machine.
    /// </summary>
    public static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a client listens for messages that must not arrive, after a later marker message has arrived.
    /// </summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
}
