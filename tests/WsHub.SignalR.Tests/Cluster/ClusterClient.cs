using Microsoft.AspNetCore.SignalR.Client;

namespace WsHub.SignalR.Tests.Cluster;

/// <summary>
/// A .NET SignalR client of the test hub, with its user, its current connection id and a record of its
/// reconnect and close events.
/// </summary>
internal sealed class ClusterClient : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _reconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closedCount;

    public ClusterClient(HubConnection connection, string? user, string name)
    {
        Connection = connection;
        User = user;
        Name = name;
        // A client that skips negotiation gets no connection id with Reconnected, so callers ask WhoAmI afterwards.
        connection.Reconnected += _ =>
        {
            _reconnected.TrySetResult();
            return Task.CompletedTask;
        };
        connection.Closed += _ =>
        {
            Interlocked.Increment(ref _closedCount);
            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }

    public string? User { get; }

    /// <summary>A label for messages, such as <c>A-u1</c>.</summary>
    public string Name { get; }

    /// <summary>The connection id the server gave at the last <see cref="StartAsync"/> or <see cref="RefreshConnectionIdAsync"/>.</summary>
    public string ConnectionId { get; private set; } = string.Empty;

    /// <summary>Completes at the first Reconnected event.</summary>
    public Task Reconnected => _reconnected.Task;

    /// <summary>How many Closed events the client raised.</summary>
    public int ClosedCount => Volatile.Read(ref _closedCount);

    /// <summary>
    /// Starts the connection and learns its id from the server, because a client that skips negotiation never
    /// receives its connection id.
    /// </summary>
    public async Task StartAsync()
    {
        await Connection.StartAsync().WaitAsync(CallTimeout);
        await RefreshConnectionIdAsync();
    }

    /// <summary>Asks the server for the current connection id, after a reconnect for example.</summary>
    public async Task RefreshConnectionIdAsync()
    {
        ConnectionId = await WhoAmIAsync();
    }

    public Task<string> WhoAmIAsync() => Connection.InvokeAsync<string>("WhoAmI").WaitAsync(CallTimeout);

    public Task JoinGroupAsync(string groupName) => Connection.InvokeAsync("JoinGroup", groupName).WaitAsync(CallTimeout);

    public Task LeaveGroupAsync(string groupName) => Connection.InvokeAsync("LeaveGroup", groupName).WaitAsync(CallTimeout);

    public Task AddToGroupAsync(string connectionId, string groupName) =>
        Connection.InvokeAsync("AddConnectionToGroup", connectionId, groupName).WaitAsync(CallTimeout);

    public Task RemoveFromGroupAsync(string connectionId, string groupName) =>
        Connection.InvokeAsync("RemoveConnectionFromGroup", connectionId, groupName).WaitAsync(CallTimeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.DisposeAsync().AsTask().WaitAsync(CallTimeout);
        }
        catch (TimeoutException)
        {
            // A client whose server was killed can take long to notice it, and the test is over, so it is left behind.
        }
    }
}
