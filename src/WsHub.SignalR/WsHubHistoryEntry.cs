using System.Text.Json;

namespace WsHub.SignalR;

/// <summary>
/// One message of a history group as stored in Redis.
/// </summary>
/// <param name="Offset">The Redis stream entry id, such as <c>1700000000000-0</c>; later messages have greater ids.</param>
/// <param name="MethodName">The client method the message invokes, read from its JSON form; null without one.</param>
/// <param name="Arguments">The arguments as JSON elements, read from its JSON form; empty without one.</param>
/// <param name="SerializedMessages">The message exactly as each hub protocol serialised it, keyed by protocol name.</param>
public sealed record WsHubHistoryEntry(
    string Offset,
    string? MethodName,
    IReadOnlyList<JsonElement> Arguments,
    IReadOnlyDictionary<string, ReadOnlyMemory<byte>> SerializedMessages);
