using Microsoft.AspNetCore.SignalR;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// Checks shared by the integration tests: who received a message, how often, and who did not.
/// </summary>
internal static class Delivery
{
    /// <summary>The text of the marker that shows earlier sends have been processed.</summary>
    public const string MarkerText = "marker";

    /// <summary>
    /// Returns the argument array of a <see cref="TestHub.MessageMethod"/> call that carries <paramref name="text"/>.
    /// </summary>
    public static object?[] Args(string text) => [text];

    /// <summary>
    /// Checks that each client receives <paramref name="text"/> and then nothing more during the quiet period, so a
    /// duplicate delivery fails the test.
    /// </summary>
    public static async Task ExpectEachOnceAsync(string text, params TestClient[] clients)
    {
        foreach (var client in clients)
        {
            await client.ExpectMessageAsync(text);
        }

        await Task.WhenAll(clients.Select(client => client.ExpectNothingAsync()));
    }

    /// <summary>
    /// Sends a marker to the clients through <paramref name="sender"/> and checks that the marker is the only message they
    /// receive. The sender should be a server other than theirs, so that the marker takes the same path through Redis.
    /// </summary>
    public static async Task ExpectNothingAsync(HubLifetimeManager<TestHub> sender, params TestClient[] clients)
    {
        ArgumentNullException.ThrowIfNull(sender);

        var ids = clients.Select(client => client.ConnectionId).ToArray();
        await sender.SendConnectionsAsync(ids, TestHub.MessageMethod, Args(MarkerText)).WaitAsync(TestTimeouts.Default);
        await Task.WhenAll(clients.Select(client => client.ExpectOnlyMarkerAsync(MarkerText)));
    }
}
