using FluentAssertions;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// An instance subscribes a group's channel while it has a local member and unsubscribes it after the last local member
/// leaves and the unsubscribe delay passes.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LazySubscriptionTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GroupChannel_LastLocalMemberLeaves_UnsubscribedAfterDelay(bool leaveByDisconnect)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var redis = cluster.Redis;
        var pattern = cluster.ChannelPrefix + ":*";
        var memberOnA = await cluster.ConnectAsync(cluster.A);
        var memberOnB = await cluster.ConnectAsync(cluster.B);
        var before = (await redis.GetChannelsAsync(pattern)).ToHashSet(StringComparer.Ordinal);

        await cluster.A.LifetimeManager.AddToGroupAsync(memberOnA.ConnectionId, "lazy").WaitAsync(Timeout);

        var added = new List<string>();
        await Poll.WaitUntilAsync(
            async () =>
            {
                added = [.. (await redis.GetChannelsAsync(pattern)).Where(channel => !before.Contains(channel))];
                return added.Count > 0;
            },
            Timeout,
            "a new channel is subscribed for the group");
        added.Should().ContainSingle("only the group channel is new, but found {0}", string.Join(", ", added));
        var groupChannel = added[0];
        (await redis.GetSubscriberCountAsync(groupChannel)).Should().Be(1, "only server A has a member");

        await cluster.B.LifetimeManager.AddToGroupAsync(memberOnB.ConnectionId, "lazy").WaitAsync(Timeout);
        await Poll.WaitUntilAsync(
            async () => await redis.GetSubscriberCountAsync(groupChannel) == 2,
            Timeout,
            "server B subscribes the group channel for its member");

        await Leave(cluster.A, memberOnA);
        await Poll.WaitUntilAsync(
            async () => await redis.GetSubscriberCountAsync(groupChannel) == 1,
            BackplaneServer.TestUnsubscribeDelay + Timeout,
            "server A unsubscribes after its last member left");

        await Leave(cluster.B, memberOnB);
        await Poll.WaitUntilAsync(
            async () => await redis.GetSubscriberCountAsync(groupChannel) == 0,
            BackplaneServer.TestUnsubscribeDelay + Timeout,
            "no server subscribes the group channel after every member left");
        (await redis.GetChannelsAsync(pattern)).Should().NotContain(groupChannel);

        async Task Leave(BackplaneServer server, TestClient member)
        {
            if (leaveByDisconnect)
            {
                await member.DisposeAsync();
            }
            else
            {
                await server.LifetimeManager.RemoveFromGroupAsync(member.ConnectionId, "lazy").WaitAsync(Timeout);
            }
        }
    }

    [Fact]
    public async Task GroupChannel_MemberRejoinsWithinDelay_StillDelivers()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 2, (_, options) =>
            options.ConfigureBackplane = backplane => backplane.UnsubscribeDelay = TimeSpan.FromSeconds(5));
        var member = await cluster.ConnectAsync(cluster.B);

        await cluster.B.LifetimeManager.AddToGroupAsync(member.ConnectionId, "churn").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.RemoveFromGroupAsync(member.ConnectionId, "churn").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(member.ConnectionId, "churn").WaitAsync(Timeout);

        await cluster.A.LifetimeManager.SendGroupAsync("churn", TestHub.MessageMethod, Delivery.Args("back")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("back", member);
    }
}
