using System.Text;
using MessagePack;
using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR.Internal;

internal static partial class EnvelopeCodec
{
    /// <summary>The number of fields after the header in a <see cref="EnvelopeKind.HistoryBroadcast"/>.</summary>
    private const int HistoryFieldCount = 3;

    /// <summary>
    /// Writes a <see cref="EnvelopeKind.HistoryBroadcast"/> without its last field, the stream entry id. The history
    /// script stores these bytes in the stream and publishes them followed by the id in MessagePack, which
    /// <see cref="AppendOffset"/> reproduces.
    /// </summary>
    public static byte[] WriteHistoryPrefix(
        string origin,
        IReadOnlyList<string>? excludedConnectionIds,
        IReadOnlyList<SerializedMessage> messages)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.HistoryBroadcast, origin, HistoryFieldCount);
        WriteStrings(ref writer, excludedConnectionIds);
        WriteMessages(ref writer, messages);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteResumeTakeover(string origin, string connectionId)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.ResumeTakeover, origin, fieldCount: 1);
        writer.Write(connectionId);
        return Complete(ref writer, buffer);
    }

    /// <summary>
    /// Completes a prefix from <see cref="WriteHistoryPrefix"/> with the stream entry id, as a MessagePack fixstr
    /// (up to 31 bytes) or str8 (up to 255 bytes), the same bytes the history script builds in Lua.
    /// </summary>
    /// <exception cref="ArgumentException">The offset is longer than 255 bytes, which no stream id is.</exception>
    public static byte[] AppendOffset(ReadOnlySpan<byte> prefix, string offset)
    {
        var length = Encoding.UTF8.GetByteCount(offset);
        if (length > byte.MaxValue)
        {
            throw new ArgumentException($"The offset is {length} bytes long; a stream entry id has at most 255.", nameof(offset));
        }

        var headerLength = length < 32 ? 1 : 2;
        var bytes = new byte[prefix.Length + headerLength + length];
        prefix.CopyTo(bytes);
        if (length < 32)
        {
            bytes[prefix.Length] = (byte)(MessagePackCode.MinFixStr | length);
        }
        else
        {
            bytes[prefix.Length] = MessagePackCode.Str8;
            bytes[prefix.Length + 1] = (byte)length;
        }

        Encoding.UTF8.GetBytes(offset, bytes.AsSpan(prefix.Length + headerLength));
        return bytes;
    }
}
