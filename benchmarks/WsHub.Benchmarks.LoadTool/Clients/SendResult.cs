namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// What a sender did: messages it tried to send and how many of those calls failed.
/// </summary>
internal readonly record struct SendResult(long Attempted, long Failed);
