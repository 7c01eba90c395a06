namespace WsHub.TestServer;

/// <summary>The body of <c>/presence/group/{name}</c>.</summary>
/// <param name="GroupName">The group asked about.</param>
/// <param name="Count">What <c>GetGroupMemberCountAsync</c> returned.</param>
/// <param name="Members">Every member found by walking the SSCAN cursor, sorted and without duplicates.</param>
/// <param name="Pages">How many pages the walk took.</param>
public sealed record GroupResponse(string GroupName, long Count, IReadOnlyList<string> Members, int Pages);
