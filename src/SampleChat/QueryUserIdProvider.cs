using Microsoft.AspNetCore.SignalR;

namespace SampleChat;

/// <summary>
/// Takes the SignalR user identifier from the <c>user</c> query string parameter of the connection request.
/// </summary>
/// <remarks>
/// The sample has no sign-in, so any client can claim any name. A real app takes the identifier from an
/// authenticated principal instead.
/// </remarks>
public sealed class QueryUserIdProvider : IUserIdProvider
{
    /// <summary>The query string parameter that contains the user name.</summary>
    public const string QueryParameter = "user";

    /// <summary>
    /// Returns the trimmed user name from the query string, or null when it is missing or invalid.
    /// </summary>
    /// <param name="connection">The connection whose user is needed.</param>
    /// <returns>The user name, or null.</returns>
    public string? GetUserId(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        var value = connection.GetHttpContext()?.Request.Query[QueryParameter].ToString();
        return ChatInput.TryValidateName("user name", value, out var name, out _) ? name : null;
    }
}
