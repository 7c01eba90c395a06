using System.Text;
using FluentAssertions;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR.Tests.Unit;

public class EnvelopeCodecTests
{
    private static readonly SerializedMessage[] Messages =
    [
        new("json", Encoding.UTF8.GetBytes("{\"type\":1}\u001e")),
        new("messagepack", new byte[] { 0x01, 0x02, 0x03 }),
    ];

    [Fact]
    public void Broadcast_WithExclusions_RoundTrips()
    {
        var bytes = EnvelopeCodec.WriteBroadcast("instance-a", ["c1", "c2"], Messages);

        var envelope = EnvelopeCodec.Read(bytes);

        envelope.Kind.Should().Be(EnvelopeKind.Broadcast);
        envelope.Origin.Should().Be("instance-a");
        envelope.Targets.Should().Equal("c1", "c2");
        envelope.Messages.Should().HaveCount(2);
        envelope.Messages![0].ProtocolName.Should().Be("json");
        envelope.Messages[0].Serialized.ToArray().Should().Equal(Messages[0].Serialized.ToArray());
        envelope.Messages[1].ProtocolName.Should().Be("messagepack");
        envelope.Messages[1].Serialized.ToArray().Should().Equal(Messages[1].Serialized.ToArray());
    }

    [Fact]
    public void Broadcast_WithoutExclusions_HasNullTargets()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteBroadcast("a", null, Messages));

        envelope.Targets.Should().BeNull();
    }

    [Theory]
    [InlineData((int)EnvelopeKind.Connections)]
    [InlineData((int)EnvelopeKind.Users)]
    public void Targeted_RoundTripsTargets(int kindValue)
    {
        var kind = (EnvelopeKind)kindValue;
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteTargeted(kind, "a", ["x", "y*", "z:1"], Messages));

        envelope.Kind.Should().Be(kind);
        envelope.Targets.Should().Equal("x", "y*", "z:1");
        envelope.Messages.Should().HaveCount(2);
    }

    [Fact]
    public void GroupCommand_RoundTripsEveryField()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteGroupCommand("a", 42, "conn", "Room 1", add: true));

        envelope.Kind.Should().Be(EnvelopeKind.GroupCommand);
        envelope.CommandId.Should().Be(42);
        envelope.ConnectionId.Should().Be("conn");
        envelope.GroupName.Should().Be("Room 1");
        envelope.AddToGroup.Should().BeTrue();
    }

    [Fact]
    public void GroupAck_RoundTripsCommandId()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteGroupAck("b", long.MaxValue));

        envelope.Kind.Should().Be(EnvelopeKind.GroupAck);
        envelope.Origin.Should().Be("b");
        envelope.CommandId.Should().Be(long.MaxValue);
    }

    [Fact]
    public void Invocation_RoundTripsIdsAndMessages()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteInvocation("a", "inv:1", "conn", Messages));

        envelope.Kind.Should().Be(EnvelopeKind.Invocation);
        envelope.InvocationId.Should().Be("inv:1");
        envelope.ConnectionId.Should().Be("conn");
        envelope.Messages.Should().HaveCount(2);
    }

    [Fact]
    public void InvocationResult_RoundTripsPayload()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteInvocationResult("a", "inv:1", "json", [9, 8, 7]));

        envelope.Kind.Should().Be(EnvelopeKind.InvocationResult);
        envelope.ProtocolName.Should().Be("json");
        envelope.Payload.ToArray().Should().Equal(9, 8, 7);
    }

    [Fact]
    public void InvocationCancel_RoundTripsIds()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteInvocationCancel("a", "inv:2", "conn"));

        envelope.Kind.Should().Be(EnvelopeKind.InvocationCancel);
        envelope.InvocationId.Should().Be("inv:2");
        envelope.ConnectionId.Should().Be("conn");
    }

    [Fact]
    public void InvocationConnectionLost_RoundTripsReason()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteInvocationConnectionLost("a", "inv:3", "Connection 'c' disconnected."));

        envelope.Kind.Should().Be(EnvelopeKind.InvocationConnectionLost);
        envelope.InvocationId.Should().Be("inv:3");
        envelope.Reason.Should().Be("Connection 'c' disconnected.");
    }

    [Fact]
    public void InstanceStarted_RoundTripsOrigin()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteInstanceStarted("instance-7"));

        envelope.Kind.Should().Be(EnvelopeKind.InstanceStarted);
        envelope.Origin.Should().Be("instance-7");
    }

    [Fact]
    public void IsFromOrigin_ComparesOriginBytes()
    {
        var bytes = EnvelopeCodec.WriteBroadcast("origin-x", null, Messages);

        EnvelopeCodec.IsFromOrigin(bytes, "origin-x"u8).Should().BeTrue();
        EnvelopeCodec.IsFromOrigin(bytes, "origin-y"u8).Should().BeFalse();
        EnvelopeCodec.IsFromOrigin(bytes, "origin"u8).Should().BeFalse();
    }

    [Fact]
    public void IsFromOrigin_Garbage_ThrowsFormatException()
    {
        var read = () => EnvelopeCodec.IsFromOrigin(new byte[] { 0x93, 0x01 }, "a"u8);

        read.Should().Throw<EnvelopeFormatException>();
    }

    [Fact]
    public void ReadOrigin_ReturnsOriginWithoutBody()
    {
        EnvelopeCodec.ReadOrigin(EnvelopeCodec.WriteBroadcast("origin-x", null, Messages)).Should().Be("origin-x");
    }

    [Fact]
    public void Read_FieldsAppendedByNewerWriter_AreIgnored()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write(EnvelopeCodec.CurrentVersion);
        writer.Write((int)EnvelopeKind.GroupAck);
        writer.Write("a");
        writer.Write(7L);
        writer.Write("a field from the future");
        writer.Flush();

        var envelope = EnvelopeCodec.Read(buffer.WrittenMemory);

        envelope.CommandId.Should().Be(7);
    }

    [Fact]
    public void Read_UnknownVersion_Throws()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(EnvelopeCodec.CurrentVersion + 1);
        writer.Write((int)EnvelopeKind.GroupAck);
        writer.Write("a");
        writer.Write(7L);
        writer.Flush();

        var read = () => EnvelopeCodec.Read(buffer.WrittenMemory);

        read.Should().Throw<EnvelopeFormatException>().WithMessage("*version 2*");
    }

    [Fact]
    public void Read_UnknownKind_Throws()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write(EnvelopeCodec.CurrentVersion);
        writer.Write(99);
        writer.Write("a");
        writer.Flush();

        var read = () => EnvelopeCodec.Read(buffer.WrittenMemory);

        read.Should().Throw<EnvelopeFormatException>().WithMessage("*kind 99*");
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xc1 })]
    [InlineData(new byte[] { 0x93, 0x01 })]
    [InlineData(new byte[] { 0xdd, 0xff, 0xff, 0xff, 0xff })]
    [InlineData(new byte[] { 0x68, 0x65, 0x6c, 0x6c, 0x6f })]
    public void Read_Garbage_ThrowsFormatException(byte[] garbage)
    {
        var read = () => EnvelopeCodec.Read(garbage);

        read.Should().Throw<EnvelopeFormatException>();
    }

    [Fact]
    public void Read_EveryTruncation_ThrowsFormatException()
    {
        var bytes = EnvelopeCodec.WriteBroadcast("instance-a", ["c1"], Messages);

        for (var length = 0; length < bytes.Length; length++)
        {
            var read = () => EnvelopeCodec.Read(bytes.AsMemory(0, length));
            read.Should().Throw<EnvelopeFormatException>($"a payload cut to {length} of {bytes.Length} bytes is incomplete");
        }
    }

    [Fact]
    public void Read_RandomBytes_NeverThrowsOtherExceptions()
    {
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(1, 64)];
            random.NextBytes(bytes);

            try
            {
                EnvelopeCodec.Read(bytes);
            }
            catch (EnvelopeFormatException)
            {
            }
        }
    }
}
