using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// A <see cref="TestClient"/> that connects with a resume key in the query string, as a browser that reconnects would,
/// and records the group names of <c>WsHubRecoveryFailed</c> calls.
/// </summary>
internal sealed class ResumableClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _recoveryFailures = new();

    private ResumableClient(TestClient client)
    {
        Client = client;
        client.Connection.On<string>(WsHubLifetimeManager<TestHub>.RecoveryFailedMethod, _recoveryFailures.Enqueue);
    }

    public TestClient Client { get; }

    /// <summary>The groups named by <c>WsHubRecoveryFailed</c> calls so far.</summary>
    public IReadOnlyCollection<string> RecoveryFailures => _recoveryFailures;

    public static async Task<ResumableClient> ConnectAsync(
        BackplaneServer server,
        string resumeKey,
        ClientProtocol protocol = ClientProtocol.Json)
    {
        var url = new Uri(server.HubUrl + "?" + WsHubOptions.ResumeQueryParameter + "=" + Uri.EscapeDataString(resumeKey));
        return new ResumableClient(await TestClient.ConnectAsync(url, protocol));
    }

    public Task JoinAsync(string groupName) =>
        Client.Connection.InvokeAsync(nameof(TestHub.JoinGroup), groupName).WaitAsync(TestTimeouts.Default);

    /// <summary>Reads the next message and returns its number, failing unless it is a numbered message.</summary>
    public async Task<int> ReadNumberAsync()
    {
        var message = await Client.ReadAsync();
        return int.Parse(message.Text, CultureInfo.InvariantCulture);
    }

    /// <summary>Makes the server abort the connection without a close handshake, and waits until the client sees it.</summary>
    public async Task LoseConnectionAsync()
    {
        await Client.Connection.SendAsync(nameof(TestHub.AbortConnection)).WaitAsync(TestTimeouts.Default);
        await Poll.WaitUntilAsync(
            () => Client.Connection.State == HubConnectionState.Disconnected,
            TestTimeouts.Default,
            "the client noticed the lost connection");
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
