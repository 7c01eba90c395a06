using System.Buffers;
using System.Text;
using FluentAssertions;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// The history envelope, stream offsets and the arguments of the history scripts, without Redis.
/// </summary>
public sealed class HistoryCodecTests
{
    private static readonly SerializedMessage[] Messages =
    [
        new("json", Encoding.UTF8.GetBytes("{\"type\":1}\u001e")),
        new("messagepack", new byte[] { 0x01, 0x02 }),
    ];

    [Theory]
    [InlineData("1700000000000-0")]
    [InlineData("18446744073709551615-18446744073709551615")]
    public void AppendOffset_AnyIdLength_MatchesMessagePackString(string offset)
    {
        var prefix = EnvelopeCodec.WriteHistoryPrefix("instance-a", null, Messages);

        var bytes = EnvelopeCodec.AppendOffset(prefix, offset);

        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write(offset);
        writer.Flush();
        bytes.Should().Equal([.. prefix, .. buffer.WrittenSpan.ToArray()]);
    }

    [Fact]
    public void HistoryBroadcast_WithOffset_RoundTrips()
    {
        var prefix = EnvelopeCodec.WriteHistoryPrefix("instance-a", ["c1"], Messages);

        var envelope = EnvelopeCodec.Read(EnvelopeCodec.AppendOffset(prefix, "1700000000000-7"));

        envelope.Kind.Should().Be(EnvelopeKind.HistoryBroadcast);
        envelope.Origin.Should().Be("instance-a");
        envelope.Targets.Should().Equal("c1");
        envelope.Offset.Should().Be("1700000000000-7");
        envelope.Messages.Should().HaveCount(2);
        envelope.Messages![1].Serialized.ToArray().Should().Equal(0x01, 0x02);
    }

    [Fact]
    public void HistoryBroadcast_PrefixWithoutOffset_IsRejected()
    {
        var prefix = EnvelopeCodec.WriteHistoryPrefix("instance-a", null, Messages);

        var read = () => EnvelopeCodec.Read(prefix);

        read.Should().Throw<EnvelopeFormatException>();
    }

    [Fact]
    public void ResumeTakeover_RoundTrips()
    {
        var envelope = EnvelopeCodec.Read(EnvelopeCodec.WriteResumeTakeover("instance-b", "old-connection"));

        envelope.Kind.Should().Be(EnvelopeKind.ResumeTakeover);
        envelope.Origin.Should().Be("instance-b");
        envelope.ConnectionId.Should().Be("old-connection");
    }

    [Fact]
    public void AppendOffset_LongerThan255Bytes_Throws()
    {
        var append = () => EnvelopeCodec.AppendOffset([], new string('1', 256));

        append.Should().Throw<ArgumentException>().WithMessage("*256 bytes*");
    }

    [Theory]
    [InlineData("1-0", "2-0")]
    [InlineData("5-1", "5-2")]
    [InlineData("9-99", "10-0")]
    [InlineData("0-0", "0-1")]
    public void StreamOffset_Compare_OrdersLikeRedis(string smaller, string larger)
    {
        var left = StreamOffset.Parse(smaller);
        var right = StreamOffset.Parse(larger);

        (left < right).Should().BeTrue();
        (right > left).Should().BeTrue();
        left.ToString().Should().Be(smaller);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("-1")]
    [InlineData("1-")]
    [InlineData("a-1")]
    [InlineData("1-2-3")]
    public void StreamOffset_TryParse_RejectsInvalidText(string text)
    {
        StreamOffset.TryParse(text, out _).Should().BeFalse();
    }

    [Fact]
    public void BuildAppendArguments_FromOptions_ListsChannelPrefixLengthAndAge()
    {
        var options = new WsHubOptions { HistoryMaxLength = 42, HistoryMaxAge = TimeSpan.FromSeconds(3) };
        var prefix = new byte[] { 1, 2, 3 };

        var arguments = HistoryStore.BuildAppendArguments(RedisChannel.Literal("p:h:group:g"), prefix, options);

        arguments.Should().HaveCount(4);
        ((string?)arguments[0]).Should().Be("p:h:group:g");
        ((byte[]?)arguments[1]).Should().Equal(prefix);
        ((long)arguments[2]).Should().Be(42);
        ((long)arguments[3]).Should().Be(3000);
    }

    [Fact]
    public void BuildSaveResumeArguments_WithPositions_ListsPairsAfterTtlAndConnection()
    {
        var positions = new List<KeyValuePair<string, StreamOffset>>
        {
            new("room-1", new StreamOffset(10, 1)),
            new("room-2", new StreamOffset(20, 0)),
        };

        var arguments = HistoryStore.BuildSaveResumeArguments(5000, "conn-1", positions);

        arguments.Select(value => value.ToString()).Should().Equal("5000", "conn-1", "room-1", "10-1", "room-2", "20-0");
    }

    [Fact]
    public void ParseResumeState_MixedFields_SplitsPositionsAndMarkers()
    {
        HashEntry[] fields =
        [
            new("c", "old-conn"),
            new("g:room", "10-1"),
            new("g:bad", "not-an-id"),
            new("live:me", "1"),
        ];

        var state = HistoryStore.ParseResumeState(fields, "me");

        state.PreviousConnectionId.Should().Be("old-conn");
        state.Positions.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, StreamOffset>("room", new StreamOffset(10, 1)));
        state.OtherLiveConnections.Should().BeEmpty("the connection's own marker does not count");
        HistoryStore.ParseResumeState([.. fields, new("live:other", "1")], "me").OtherLiveConnections.Should().Equal("other");
    }

    [Fact]
    public void HistoryOptions_InvalidValues_Throw()
    {
        var options = new WsHubOptions();

        ((Action)(() => options.HistoryMaxLength = 0)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.HistoryMaxAge = TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.ResumeKeySelector = null!)).Should().Throw<ArgumentNullException>();
        options.HistoryGroupFilter.Should().BeNull("no group keeps history unless the app opts in");
        options.HistoryMaxLength.Should().Be(1000);
        options.HistoryMaxAge.Should().Be(TimeSpan.FromMinutes(5));
    }
}
