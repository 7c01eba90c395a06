using System.Text;
using FluentAssertions;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// Bytes that are not valid WsHub envelopes, published straight on WsHub's channels, are dropped and counted and
/// never stop later messages; messages over <see cref="WsHubOptions.MaxMessageSize"/> are rejected before anything
/// is sent.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class HostileInputTests
{
    private const string GroupName = "room";
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    /// <summary>The channel a hostile message is published on.</summary>
    public enum Target
    {
        /// <summary>The hub's <c>all</c> channel.</summary>
        All,

        /// <summary>A group's channel.</summary>
        Group,

        /// <summary>The receiving instance's own channel.</summary>
        Instance,
    }

    [Theory]
    [InlineData(Target.All)]
    [InlineData(Target.Group)]
    [InlineData(Target.Instance)]
    public async Task Receive_HostilePayloads_DroppedAndCounted(Target target)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(redis, serverCount: 2);
        using var metrics = new MetricRecorder(cluster.B.Services);
        var onB = await cluster.ConnectAsync(cluster.B, userId: "bob");
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);
        await using var publisher = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString).WaitAsync(Timeout);
        var channel = RedisChannel.Literal(target switch
        {
            Target.All => Backplane.AllChannel(cluster.B),
            Target.Group => Backplane.GroupChannel(cluster.B, GroupName),
            _ => Backplane.InstanceChannel(cluster.B),
        });
        var valid = await CaptureEnvelopeAsync(cluster, publisher, channel, target, onB);

        var payloads = HostilePayloads(valid);
        var subscriber = publisher.GetSubscriber();
        var sender = cluster.A.LifetimeManager;
        for (var index = 0; index < payloads.Count; index++)
        {
            var (name, bytes) = payloads[index];
            var receivers = await subscriber.PublishAsync(channel, bytes).WaitAsync(Timeout);
            receivers.Should().BeGreaterThanOrEqualTo(1, "server B subscribes to {0}", channel);

            // A valid message after each hostile one still arrives, and only it.
            var text = $"after {name}";
            await SendAsync(sender, target, onB, text);
            await onB.ExpectMessageAsync(text);
        }

        await onB.ExpectNothingAsync();
        await Poll.WaitUntilAsync(
            () => metrics.Sum("wshub.messages.dropped", "reason", "invalid_envelope") >= payloads.Count,
            Timeout,
            $"server B counts each of the {payloads.Count} hostile payloads as dropped with reason invalid_envelope "
            + $"(recorded: {metrics.Describe()})");
    }

    [Fact]
    public async Task Send_OverMaxMessageSize_RejectedBeforeSending()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) => options.ConfigureBackplane = backplane => backplane.MaxMessageSize = 1_024);
        var onA = await cluster.ConnectAsync(cluster.A, userId: "alice");
        var onB = await cluster.ConnectAsync(cluster.B, userId: "bob");
        await cluster.A.LifetimeManager.AddToGroupAsync(onA.ConnectionId, GroupName).WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);
        var sender = cluster.A.LifetimeManager;
        object?[] oversized = [new string('x', 2_000)];

        var sends = new Dictionary<string, Func<Task>>
        {
            ["all"] = () => sender.SendAllAsync(TestHub.MessageMethod, oversized),
            ["group"] = () => sender.SendGroupAsync(GroupName, TestHub.MessageMethod, oversized),
            ["local and remote connections"] = () =>
                sender.SendConnectionsAsync([onA.ConnectionId, onB.ConnectionId], TestHub.MessageMethod, oversized),
            ["local connection"] = () => sender.SendConnectionAsync(onA.ConnectionId, TestHub.MessageMethod, oversized),
            ["users"] = () => sender.SendUsersAsync(["alice", "bob"], TestHub.MessageMethod, oversized),
        };
        foreach (var (name, send) in sends)
        {
            var act = () => send().WaitAsync(Timeout);
            await act.Should().ThrowAsync<InvalidOperationException>("a send to {0} over MaxMessageSize is rejected", name);
        }

        await Integration.Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, onA);
        await Integration.Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, onB);
    }

    /// <summary>
    /// Subscribes to the channel, makes server A send a valid message that travels on it, and returns its bytes.
    /// </summary>
    private static async Task<byte[]> CaptureEnvelopeAsync(
        TestCluster cluster,
        ConnectionMultiplexer publisher,
        RedisChannel channel,
        Target target,
        TestClient onB)
    {
        var captured = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = await publisher.GetSubscriber().SubscribeAsync(channel).WaitAsync(Timeout);
        queue.OnMessage(message => captured.TrySetResult((byte[])message.Message!));
        await SendAsync(cluster.A.LifetimeManager, target, onB, "captured");
        await onB.ExpectMessageAsync("captured");
        var bytes = await captured.Task.WaitAsync(Timeout);
        await queue.UnsubscribeAsync().WaitAsync(Timeout);
        return bytes;
    }

    private static Task SendAsync(
        Microsoft.AspNetCore.SignalR.HubLifetimeManager<TestHub> sender,
        Target target,
        TestClient onB,
        string text) =>
        (target switch
        {
            Target.All => sender.SendAllAsync(TestHub.MessageMethod, [text]),
            Target.Group => sender.SendGroupAsync(GroupName, TestHub.MessageMethod, [text]),
            _ => sender.SendConnectionAsync(onB.ConnectionId, TestHub.MessageMethod, [text]),
        }).WaitAsync(Timeout);

    private static List<(string Name, byte[] Bytes)> HostilePayloads(byte[] valid)
    {
        var oversized = new byte[2 * 1024 * 1024];
        new Random(7).NextBytes(oversized);
        return
        [
            ("empty", []),
            ("text", Encoding.UTF8.GetBytes("hello, not an envelope")),
            ("JSON hub message", Encoding.UTF8.GetBytes("{\"type\":1,\"target\":\"Message\",\"arguments\":[\"forged\"]}\u001e")),
            ("random bytes", [0xc1, 0xff, 0x00, 0x13, 0x37]),
            ("truncated to one byte", valid[..1]),
            ("truncated by half", valid[..(valid.Length / 2)]),
            ("truncated by one byte", valid[..^1]),
            ("MessagePack integer", [0x2a]),
            ("MessagePack empty array", [0x90]),
            ("array of unknown version", [0x93, 0x7f, 0x01, 0xa1, 0x78]),
            ("array header claiming 2^32-1 items", [0xdd, 0xff, 0xff, 0xff, 0xff]),
            ("binary header claiming 2^32-1 bytes", [0xc6, 0xff, 0xff, 0xff, 0xff, 0x00]),
            ("2 MiB of random bytes", oversized),
        ];
    }
}
