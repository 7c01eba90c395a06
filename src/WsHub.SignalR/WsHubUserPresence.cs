namespace WsHub.SignalR;

/// <summary>
/// The connections of one user on every instance.
/// </summary>
/// <param name="UserId">The user id, as <see cref="Microsoft.AspNetCore.SignalR.IUserIdProvider"/> returned it.</param>
/// <param name="ConnectionIds">The ids of the user's connections; empty when the user is offline.</param>
public sealed record WsHubUserPresence(string UserId, IReadOnlyList<string> ConnectionIds)
{
    /// <summary>Gets whether the user has at least one connection.</summary>
    public bool IsOnline => ConnectionIds.Count > 0;
}
