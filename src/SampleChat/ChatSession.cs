namespace SampleChat;

/// <summary>
/// The caller's user name, connection id and instance, returned by <see cref="ChatHub.GetSession"/>.
/// </summary>
/// <param name="User">The user name the server accepted.</param>
/// <param name="ConnectionId">The SignalR connection id.</param>
/// <param name="Instance">The name of the instance that serves the connection.</param>
public sealed record ChatSession(string User, string ConnectionId, string Instance);
