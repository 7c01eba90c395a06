using System.Globalization;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// Creates channel prefixes that no other test uses, so tests that share one Redis server cannot see each other.
/// </summary>
public static class TestPrefix
{
    private static int s_counter;

    /// <summary>Returns a new unique prefix such as <c>t17-3f2a9c</c>.</summary>
    public static string Create()
    {
        var number = Interlocked.Increment(ref s_counter).ToString(CultureInfo.InvariantCulture);
        return "t" + number + "-" + Guid.NewGuid().ToString("N")[..6];
    }
}
