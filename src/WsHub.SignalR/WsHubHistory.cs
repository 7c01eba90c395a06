using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

/// <summary>
/// Reads the stored messages of history groups (see <see cref="WsHubOptions.HistoryGroupFilter"/>), for example to
/// show the last messages of a room to a client that joins it for the first time.
/// </summary>
/// <typeparam name="THub">The hub type.</typeparam>
public sealed class WsHubHistory<THub>
    where THub : Hub
{
    private const string JsonProtocolName = "json";

    private readonly WsHubLifetimeManager<THub> _manager;

    /// <summary>
    /// Creates the reader over the hub's lifetime manager.
    /// </summary>
    /// <exception cref="InvalidOperationException">The hub does not use the WsHub backplane.</exception>
    public WsHubHistory(HubLifetimeManager<THub> lifetimeManager)
    {
        ArgumentNullException.ThrowIfNull(lifetimeManager);

        _manager = lifetimeManager as WsHubLifetimeManager<THub> ?? throw new InvalidOperationException(
            $"History needs the WsHub backplane, but hub {typeof(THub).Name} uses {lifetimeManager.GetType().Name}. "
            + "Call AddWsHubBackplane on the SignalR builder.");
    }

    /// <summary>
    /// Reads the latest <paramref name="count"/> messages of a group, oldest first. Empty for a group without history.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public async Task<IReadOnlyList<WsHubHistoryEntry>> ReadLatestAsync(
        string groupName,
        int count,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        var (database, names) = await _manager.GetPresenceAccessAsync(cancellationToken);
        var entries = await database.StreamRangeAsync(names.History(groupName), "-", "+", count, Order.Descending)
            .WaitAsync(cancellationToken);
        Array.Reverse(entries);
        return entries.Select(ToEntry).ToArray();
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> messages of a group that came after <paramref name="offset"/>, oldest
    /// first. Pass the offset of the last entry read to page forward.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="offset"/> is not a stream entry id.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public async Task<IReadOnlyList<WsHubHistoryEntry>> ReadAfterAsync(
        string groupName,
        string offset,
        int count,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!StreamOffset.TryParse(offset, out var start))
        {
            throw new ArgumentException($"'{offset}' is not a stream entry id such as 1700000000000-0.", nameof(offset));
        }

        var (database, names) = await _manager.GetPresenceAccessAsync(cancellationToken);
        var entries = await database.StreamRangeAsync(names.History(groupName), "(" + start, "+", count).WaitAsync(cancellationToken);
        return entries.Select(ToEntry).ToArray();
    }

    private static WsHubHistoryEntry ToEntry(StreamEntry entry)
    {
        var offset = entry.Id.ToString();
        var prefix = (byte[])entry.Values[0].Value!;
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.AppendOffset(prefix, offset));
        var serialized = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.OrdinalIgnoreCase);
        foreach (var message in envelope.Messages!)
        {
            serialized[message.ProtocolName] = message.Serialized;
        }

        string? methodName = null;
        IReadOnlyList<JsonElement> arguments = [];
        if (serialized.TryGetValue(JsonProtocolName, out var json))
        {
            (methodName, arguments) = ReadJsonInvocation(json);
        }

        return new WsHubHistoryEntry(offset, methodName, arguments, serialized);
    }

    private static (string? MethodName, IReadOnlyList<JsonElement> Arguments) ReadJsonInvocation(ReadOnlyMemory<byte> json)
    {
        // The JSON hub protocol ends every message with the record separator 0x1E.
        var span = json.Span;
        if (span.Length > 0 && span[^1] == 0x1E)
        {
            span = span[..^1];
        }

        using var document = JsonDocument.Parse(span.ToArray());
        var root = document.RootElement;
        var methodName = root.TryGetProperty("target", out var target) ? target.GetString() : null;
        var arguments = root.TryGetProperty("arguments", out var values)
            ? values.EnumerateArray().Select(value => value.Clone()).ToArray()
            : [];
        return (methodName, arguments);
    }
}
