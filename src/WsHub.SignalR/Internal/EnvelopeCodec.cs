using System.Buffers;
using MessagePack;
using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Writes and reads backplane envelopes in MessagePack. Every envelope is an array that starts with the format
/// version, the <see cref="EnvelopeKind"/> and the origin instance id. A newer writer may append fields to a kind,
/// and readers ignore fields they do not know, so instances of neighbouring versions can run side by side.
/// </summary>
internal static partial class EnvelopeCodec
{
    /// <summary>The format version this build writes and the highest it reads.</summary>
    public const int CurrentVersion = 1;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static byte[] WriteBroadcast(string origin, IReadOnlyList<string>? excludedConnectionIds, IReadOnlyList<SerializedMessage> messages)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.Broadcast, origin, fieldCount: 2);
        WriteStrings(ref writer, excludedConnectionIds);
        WriteMessages(ref writer, messages);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteTargeted(
        EnvelopeKind kind,
        string origin,
        IReadOnlyList<string> targets,
        IReadOnlyList<SerializedMessage> messages)
    {
        if (kind is not (EnvelopeKind.Connections or EnvelopeKind.Users))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only connection and user envelopes have targets.");
        }

        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, kind, origin, fieldCount: 2);
        WriteStrings(ref writer, targets);
        WriteMessages(ref writer, messages);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteGroupCommand(string origin, long commandId, string connectionId, string groupName, bool add)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.GroupCommand, origin, fieldCount: 4);
        writer.Write(commandId);
        writer.Write(connectionId);
        writer.Write(groupName);
        writer.Write(add);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteGroupAck(string origin, long commandId)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.GroupAck, origin, fieldCount: 1);
        writer.Write(commandId);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteInvocation(string origin, string invocationId, string connectionId, IReadOnlyList<SerializedMessage> messages)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.Invocation, origin, fieldCount: 3);
        writer.Write(invocationId);
        writer.Write(connectionId);
        WriteMessages(ref writer, messages);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteInvocationResult(string origin, string invocationId, string protocolName, ReadOnlySpan<byte> completion)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.InvocationResult, origin, fieldCount: 3);
        writer.Write(invocationId);
        writer.Write(protocolName);
        writer.Write(completion);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteInvocationConnectionLost(string origin, string invocationId, string reason)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.InvocationConnectionLost, origin, fieldCount: 2);
        writer.Write(invocationId);
        writer.Write(reason);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteProbe(string origin, string nonce)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.Probe, origin, fieldCount: 1);
        writer.Write(nonce);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteInstanceStarted(string origin)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.InstanceStarted, origin, fieldCount: 0);
        return Complete(ref writer, buffer);
    }

    public static byte[] WriteInvocationCancel(string origin, string invocationId, string connectionId)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        WriteHeader(ref writer, EnvelopeKind.InvocationCancel, origin, fieldCount: 2);
        writer.Write(invocationId);
        writer.Write(connectionId);
        return Complete(ref writer, buffer);
    }

    /// <summary>
    /// Checks whether an envelope comes from the instance whose id is <paramref name="originUtf8"/>, without decoding
    /// the body or allocating, so an instance skips its own broadcasts cheaply.
    /// </summary>
    /// <exception cref="EnvelopeFormatException">The bytes are not an envelope of a version this build reads.</exception>
    public static bool IsFromOrigin(ReadOnlyMemory<byte> payload, ReadOnlySpan<byte> originUtf8)
    {
        var reader = new MessagePackReader(payload);
        try
        {
            ReadHeaderFields(ref reader, out _);
            if (!reader.TryReadStringSpan(out var origin))
            {
                // A string split across segments cannot occur in one contiguous payload, but is read the slow way.
                return originUtf8.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(ReadRequiredString(ref reader)));
            }

            return origin.SequenceEqual(originUtf8);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException)
        {
            throw new EnvelopeFormatException("The envelope header is not valid MessagePack.", ex);
        }
    }

    /// <summary>Reads only the origin of an envelope.</summary>
    /// <exception cref="EnvelopeFormatException">The bytes are not an envelope of a version this build reads.</exception>
    public static string ReadOrigin(ReadOnlyMemory<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        try
        {
            ReadHeader(ref reader, out _, out var origin);
            return origin;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException)
        {
            throw new EnvelopeFormatException("The envelope header is not valid MessagePack.", ex);
        }
    }

    /// <summary>
    /// Decodes an envelope. Message bytes are slices of <paramref name="payload"/>, not copies.
    /// </summary>
    /// <exception cref="EnvelopeFormatException">The bytes are not an envelope of a version this build reads.</exception>
    public static BackplaneEnvelope Read(ReadOnlyMemory<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        try
        {
            ReadHeader(ref reader, out var kind, out var origin);
            var envelope = kind switch
            {
                EnvelopeKind.Broadcast => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    Targets = ReadStrings(ref reader),
                    Messages = ReadMessages(ref reader),
                },
                EnvelopeKind.HistoryBroadcast => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    Targets = ReadStrings(ref reader),
                    Messages = ReadMessages(ref reader),
                    Offset = ReadRequiredString(ref reader),
                },
                EnvelopeKind.ResumeTakeover => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    ConnectionId = ReadRequiredString(ref reader),
                },
                EnvelopeKind.Connections or EnvelopeKind.Users => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    Targets = ReadStrings(ref reader) ?? throw new EnvelopeFormatException("A targeted envelope has no targets."),
                    Messages = ReadMessages(ref reader),
                },
                EnvelopeKind.GroupCommand => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    CommandId = reader.ReadInt64(),
                    ConnectionId = ReadRequiredString(ref reader),
                    GroupName = ReadRequiredString(ref reader),
                    AddToGroup = reader.ReadBoolean(),
                },
                EnvelopeKind.GroupAck => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    CommandId = reader.ReadInt64(),
                },
                EnvelopeKind.Invocation => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    InvocationId = ReadRequiredString(ref reader),
                    ConnectionId = ReadRequiredString(ref reader),
                    Messages = ReadMessages(ref reader),
                },
                EnvelopeKind.InvocationResult => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    InvocationId = ReadRequiredString(ref reader),
                    ProtocolName = ReadRequiredString(ref reader),
                    Payload = ReadBinary(ref reader),
                },
                EnvelopeKind.InvocationCancel => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    InvocationId = ReadRequiredString(ref reader),
                    ConnectionId = ReadRequiredString(ref reader),
                },
                EnvelopeKind.InvocationConnectionLost => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    InvocationId = ReadRequiredString(ref reader),
                    Reason = ReadRequiredString(ref reader),
                },
                EnvelopeKind.Probe => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                    Reason = ReadRequiredString(ref reader),
                },
                EnvelopeKind.InstanceStarted => new BackplaneEnvelope
                {
                    Kind = kind,
                    Origin = origin,
                },
                _ => throw new EnvelopeFormatException($"Unknown envelope kind {(int)kind}."),
            };

            // Fields that a newer writer appended after the known ones are left unread on purpose.
            return envelope;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException
            or OverflowException)
        {
            throw new EnvelopeFormatException("The envelope is truncated or not valid MessagePack.", ex);
        }
    }

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static byte[] Complete(ref MessagePackWriter writer, ArrayBufferWriter<byte> buffer)
    {
        writer.Flush();
        var bytes = buffer.WrittenSpan.ToArray();

        // A rare huge message must not keep its buffer alive on this thread forever.
        if (buffer.Capacity > 256 * 1024)
        {
            t_buffer = null;
        }

        return bytes;
    }

    private static void WriteHeader(ref MessagePackWriter writer, EnvelopeKind kind, string origin, int fieldCount)
    {
        writer.WriteArrayHeader(3 + fieldCount);
        writer.Write(CurrentVersion);
        writer.Write((int)kind);
        writer.Write(origin);
    }

    private static void ReadHeader(ref MessagePackReader reader, out EnvelopeKind kind, out string origin)
    {
        ReadHeaderFields(ref reader, out kind);
        origin = ReadRequiredString(ref reader);
    }

    /// <summary>Reads the array header, the version and the kind, leaving the reader at the origin.</summary>
    private static void ReadHeaderFields(ref MessagePackReader reader, out EnvelopeKind kind)
    {
        var count = reader.ReadArrayHeader();
        if (count < 3)
        {
            throw new EnvelopeFormatException($"The envelope has {count} fields; at least 3 are required.");
        }

        var version = reader.ReadInt32();
        if (version < 1 || version > CurrentVersion)
        {
            throw new EnvelopeFormatException($"Envelope version {version} is not supported; this instance reads versions 1 to {CurrentVersion}.");
        }

        kind = (EnvelopeKind)reader.ReadInt32();
    }

    private static void WriteStrings(ref MessagePackWriter writer, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            writer.Write(values[i]);
        }
    }

    private static string[]? ReadStrings(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var count = reader.ReadArrayHeader();
        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ReadRequiredString(ref reader);
        }

        return values;
    }

    private static void WriteMessages(ref MessagePackWriter writer, IReadOnlyList<SerializedMessage> messages)
    {
        writer.WriteArrayHeader(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            writer.WriteArrayHeader(2);
            writer.Write(messages[i].ProtocolName);
            writer.Write(messages[i].Serialized.Span);
        }
    }

    private static SerializedMessage[] ReadMessages(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        var messages = new SerializedMessage[count];
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadArrayHeader() != 2)
            {
                throw new EnvelopeFormatException("A serialised message must be a pair of protocol name and bytes.");
            }

            var protocolName = ReadRequiredString(ref reader);
            messages[i] = new SerializedMessage(protocolName, ReadBinary(ref reader));
        }

        return messages;
    }

    private static ReadOnlyMemory<byte> ReadBinary(ref MessagePackReader reader)
    {
        var bytes = reader.ReadBytes() ?? throw new EnvelopeFormatException("Expected binary data, found nil.");
        return bytes.IsSingleSegment ? bytes.First : bytes.ToArray();
    }

    private static string ReadRequiredString(ref MessagePackReader reader)
    {
        return reader.ReadString() ?? throw new EnvelopeFormatException("Expected a string, found nil.");
    }
}
