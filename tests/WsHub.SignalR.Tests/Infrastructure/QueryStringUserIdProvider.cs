using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// Takes the user id from the <c>user</c> query string parameter, so tests can connect as any user without authentication.
/// </summary>
public sealed class QueryStringUserIdProvider : IUserIdProvider
{
    /// <summary>The query string parameter that carries the user id.</summary>
    public const string ParameterName = "user";

    /// <inheritdoc />
    public string? GetUserId(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        var value = connection.GetHttpContext()?.Request.Query[ParameterName].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
