using Microsoft.AspNetCore.SignalR;

namespace WsHub.TestServer;

/// <summary>
/// The hub that cluster tests call. Group changes and client-result calls may target a connection on any instance.
/// </summary>
public sealed class TestHub : Hub
{
    // A client-result call that gets no reply ends here at the latest, so a lost reply cannot hold the hub forever.
    private static readonly TimeSpan ClientResultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Returns the caller's connection id.</summary>
    public string WhoAmI() => Context.ConnectionId;

    /// <summary>Adds the caller to a group.</summary>
    public Task JoinGroup(string groupName) => Groups.AddToGroupAsync(Context.ConnectionId, groupName);

    /// <summary>Removes the caller from a group.</summary>
    public Task LeaveGroup(string groupName) => Groups.RemoveFromGroupAsync(Context.ConnectionId, groupName);

    /// <summary>Adds any connection, local or remote, to a group.</summary>
    public Task AddConnectionToGroup(string connectionId, string groupName) => Groups.AddToGroupAsync(connectionId, groupName);

    /// <summary>Removes any connection, local or remote, from a group.</summary>
    public Task RemoveConnectionFromGroup(string connectionId, string groupName) =>
        Groups.RemoveFromGroupAsync(connectionId, groupName);

    /// <summary>Sends <c>Message(groupName, text)</c> to every member of a group.</summary>
    public Task SendToGroup(string groupName, string text) => Clients.Group(groupName).SendAsync("Message", groupName, text);

    /// <summary>
    /// Calls <c>Ask(question)</c> on another connection and returns its answer. Fails when that connection, or the
    /// instance that holds it, goes away before it answers.
    /// </summary>
    public async Task<string> AskClient(string connectionId, string question)
    {
        using var timeout = new CancellationTokenSource(ClientResultTimeout);
        return await Clients.Client(connectionId).InvokeAsync<string>("Ask", question, timeout.Token);
    }
}
