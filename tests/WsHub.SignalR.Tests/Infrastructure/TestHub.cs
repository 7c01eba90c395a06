using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// The hub that test servers map at <c>/hub</c>. Every send calls the client method <c>Message</c> with one string.
/// </summary>
public sealed class TestHub : Hub
{
    /// <summary>The client method that receives every text message.</summary>
    public const string MessageMethod = "Message";

    /// <summary>Returns the caller's connection id.</summary>
    public string GetConnectionId() => Context.ConnectionId;

    /// <summary>Returns the argument unchanged.</summary>
    public string Echo(string text) => text;

    /// <summary>Closes the caller's connection abruptly from the server side, without a close handshake.</summary>
    public void AbortConnection() => Context.Abort();

    /// <summary>Adds the caller to a group.</summary>
    public Task JoinGroup(string groupName) => Groups.AddToGroupAsync(Context.ConnectionId, groupName);

    /// <summary>Removes the caller from a group.</summary>
    public Task LeaveGroup(string groupName) => Groups.RemoveFromGroupAsync(Context.ConnectionId, groupName);

    /// <summary>Adds another connection, possibly on another server, to a group.</summary>
    public Task AddConnectionToGroup(string connectionId, string groupName) => Groups.AddToGroupAsync(connectionId, groupName);

    /// <summary>Removes another connection, possibly on another server, from a group.</summary>
    public Task RemoveConnectionFromGroup(string connectionId, string groupName) =>
        Groups.RemoveFromGroupAsync(connectionId, groupName);

    /// <summary>Sends to every connection.</summary>
    public Task SendToAll(string text) => Clients.All.SendAsync(MessageMethod, text);

    /// <summary>Sends to every connection except the caller.</summary>
    public Task SendToOthers(string text) => Clients.Others.SendAsync(MessageMethod, text);

    /// <summary>Sends to every connection except the listed ones.</summary>
    public Task SendToAllExcept(string[] excludedConnectionIds, string text) =>
        Clients.AllExcept(excludedConnectionIds).SendAsync(MessageMethod, text);

    /// <summary>Sends to one connection.</summary>
    public Task SendToConnection(string connectionId, string text) => Clients.Client(connectionId).SendAsync(MessageMethod, text);

    /// <summary>Sends to several connections.</summary>
    public Task SendToConnections(string[] connectionIds, string text) =>
        Clients.Clients(connectionIds).SendAsync(MessageMethod, text);

    /// <summary>Sends to the members of a group.</summary>
    public Task SendToGroup(string groupName, string text) => Clients.Group(groupName).SendAsync(MessageMethod, text);

    /// <summary>Sends to the members of a group except the listed connections.</summary>
    public Task SendToGroupExcept(string groupName, string[] excludedConnectionIds, string text) =>
        Clients.GroupExcept(groupName, excludedConnectionIds).SendAsync(MessageMethod, text);

    /// <summary>Sends to the members of a group except the caller.</summary>
    public Task SendToOthersInGroup(string groupName, string text) =>
        Clients.OthersInGroup(groupName).SendAsync(MessageMethod, text);

    /// <summary>Sends to the members of several groups.</summary>
    public Task SendToGroups(string[] groupNames, string text) => Clients.Groups(groupNames).SendAsync(MessageMethod, text);

    /// <summary>Sends to every connection of one user.</summary>
    public Task SendToUser(string userId, string text) => Clients.User(userId).SendAsync(MessageMethod, text);

    /// <summary>Sends to every connection of several users.</summary>
    public Task SendToUsers(string[] userIds, string text) => Clients.Users(userIds).SendAsync(MessageMethod, text);

    /// <summary>
    /// Invokes <see cref="TestClient.AddOneMethod"/> on another connection and returns the client's result.
    /// </summary>
    public Task<int> InvokeAddOne(string connectionId, int value) =>
        Clients.Client(connectionId).InvokeAsync<int>(TestClient.AddOneMethod, value, Context.ConnectionAborted);
}
