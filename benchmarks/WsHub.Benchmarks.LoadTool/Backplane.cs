namespace WsHub.Benchmarks.LoadTool;

/// <summary>
/// The hub lifetime manager that the server instances of one measurement run with.
/// </summary>
internal enum Backplane
{
    /// <summary>The default in-memory manager of SignalR on a single instance.</summary>
    None,

    /// <summary><c>Microsoft.AspNetCore.SignalR.StackExchangeRedis</c> through <c>AddStackExchangeRedis</c>.</summary>
    Official,

    /// <summary>WsHub through <c>AddWsHubBackplane</c>.</summary>
    WsHub,
}
