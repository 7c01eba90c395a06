using Microsoft.AspNetCore.SignalR;

namespace WsHub.TestServer;

/// <summary>
/// Takes the user id from the <c>user</c> query string parameter of the connection request, so tests need no
/// authentication. A connection without the parameter has no user.
/// </summary>
public sealed class QueryStringUserIdProvider : IUserIdProvider
{
    /// <inheritdoc />
    public string? GetUserId(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        var user = connection.GetHttpContext()?.Request.Query["user"].ToString();
        return string.IsNullOrEmpty(user) ? null : user;
    }
}
