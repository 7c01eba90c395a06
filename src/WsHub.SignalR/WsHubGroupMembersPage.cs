namespace WsHub.SignalR;

/// <summary>
/// One page of a group's members.
/// </summary>
/// <param name="ConnectionIds">The connection ids on this page. A page may be empty while <see cref="NextCursor"/> is not zero.</param>
/// <param name="NextCursor">The cursor for the next page, or zero after the last page.</param>
public sealed record WsHubGroupMembersPage(IReadOnlyList<string> ConnectionIds, long NextCursor);
