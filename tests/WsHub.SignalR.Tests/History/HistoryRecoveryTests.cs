using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// Clients that lose their connection and come back, on the same or another server, with the same resume key.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HistoryRecoveryTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task AddToGroupAsync_ReconnectToOtherServer_ReplaysMissedMessagesInOrder(ClientProtocol protocol)
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key, protocol);
        await first.JoinAsync(group);
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(-1)).WaitAsync(Timeout);
        (await first.ReadNumberAsync()).Should().Be(-1);

        await first.LoseConnectionAsync();
        for (var i = 0; i < 100; i++)
        {
            await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
        }

        await using var second = await ResumableClient.ConnectAsync(cluster.B, key, protocol);
        await second.JoinAsync(group);
        for (var i = 0; i < 100; i++)
        {
            (await second.ReadNumberAsync()).Should().Be(i, "the replay must deliver every missed message once, in order");
        }

        await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(100)).WaitAsync(Timeout);
        (await second.ReadNumberAsync()).Should().Be(100);
        await second.Client.ExpectNothingAsync();
        second.RecoveryFailures.Should().BeEmpty();
        first.Client.DrainReceived().Should().BeEmpty("the first client got only the message before it lost its connection");
    }

    [Fact]
    public async Task AddToGroupAsync_GracefulReconnectToSameServer_ReplaysMissedMessages()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        (await first.ReadNumberAsync()).Should().Be(0);
        var firstConnectionId = first.Client.ConnectionId;
        await first.DisposeAsync();

        // The client's close completes a moment before the server runs OnDisconnectedAsync, and a message written in
        // between counts as read. The scenario here is a send after the server saw the close.
        await Reliability.Backplane.WaitUntilUnregisteredAsync(cluster.A, firstConnectionId);

        for (var i = 1; i <= 5; i++)
        {
            await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
        }

        await using var second = await ResumableClient.ConnectAsync(cluster.A, key);
        await second.JoinAsync(group);
        for (var i = 1; i <= 5; i++)
        {
            (await second.ReadNumberAsync()).Should().Be(i);
        }

        await second.Client.ExpectNothingAsync();
    }

    [Fact]
    public async Task AddToGroupAsync_WithoutResumeKey_ReceivesLiveMessagesOnly()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        var client = await cluster.ConnectAsync(cluster.B);

        await client.Connection.InvokeAsync(nameof(TestHub.JoinGroup), group).WaitAsync(Timeout);
        await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(1)).WaitAsync(Timeout);

        await client.ExpectMessageAsync("1");
        await client.ExpectNothingAsync();
    }

    [Fact]
    public async Task AddToGroupAsync_RemoteJoinWithResumeKey_ReplaysMissedMessages()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await cluster.B.LifetimeManager.AddToGroupAsync(first.Client.ConnectionId, group).WaitAsync(Timeout);
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        (await first.ReadNumberAsync()).Should().Be(0);
        await first.LoseConnectionAsync();

        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(1)).WaitAsync(Timeout);
        await using var second = await ResumableClient.ConnectAsync(cluster.B, key);
        await cluster.A.LifetimeManager.AddToGroupAsync(second.Client.ConnectionId, group).WaitAsync(Timeout);

        (await second.ReadNumberAsync()).Should().Be(1);
        await second.Client.ExpectNothingAsync();
    }

    [Fact]
    public async Task AddToGroupAsync_ResumedClientWasExcluded_SkipsItsExcludedMessage()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        var firstId = first.Client.ConnectionId;
        await first.LoseConnectionAsync();

        var manager = cluster.B.LifetimeManager;
        await manager.SendGroupExceptAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0), [firstId]).WaitAsync(Timeout);
        await manager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(1)).WaitAsync(Timeout);
        await using var second = await ResumableClient.ConnectAsync(cluster.B, key);
        await second.JoinAsync(group);

        (await second.ReadNumberAsync()).Should().Be(1, "the message that excluded the previous connection is not replayed");
        await second.Client.ExpectNothingAsync();
    }

    [Fact]
    public async Task AddToGroupAsync_TrimmedPastPosition_SendsRecoveryFailedThenLive()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, options => options.HistoryMaxLength = 10);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        (await first.ReadNumberAsync()).Should().Be(0);
        await first.LoseConnectionAsync();

        // Far more than the maximum length plus the slack of approximate trimming, so the position is gone.
        for (var i = 1; i <= 400; i++)
        {
            await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
        }

        await using var second = await ResumableClient.ConnectAsync(cluster.B, key);
        await second.JoinAsync(group);
        await Poll.WaitUntilAsync(() => second.RecoveryFailures.Count > 0, Timeout, "the client was told that recovery failed");
        second.RecoveryFailures.Should().Equal(group);

        await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(401)).WaitAsync(Timeout);
        (await second.ReadNumberAsync()).Should().Be(401, "after a failed recovery the client receives live messages only");
        await second.Client.ExpectNothingAsync();
    }

    [Fact]
    public async Task AddToGroupAsync_PositionOlderThanMaxAge_SendsRecoveryFailed()
    {
        // Resume positions live for twice the maximum age, so the client must rejoin within one more maximum age
        // after its position was trimmed. Two seconds leave that much time even on a loaded machine.
        var maxAge = TimeSpan.FromSeconds(2);
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, options => options.HistoryMaxAge = maxAge);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        (await first.ReadNumberAsync()).Should().Be(0);
        var delivered = await fixture.Redis.ExecuteAsync("XRANGE", HistoryTestCluster.StreamKey(cluster, group), "-", "+");
        var position = (string)((RedisResult[])((RedisResult[])delivered!)[0]!)[0]!;
        await first.LoseConnectionAsync();

        // Each send trims entries older than the maximum age, so keep sending until the position is gone.
        var number = 1;
        await Poll.WaitUntilAsync(
            async () =>
            {
                await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(number++));
                var entry = await fixture.Redis.ExecuteAsync("XRANGE", HistoryTestCluster.StreamKey(cluster, group), position, position);
                return ((RedisResult[])entry!).Length == 0;
            },
            Timeout,
            "the entry of the client's position is older than the maximum age and trimmed");

        await using var second = await ResumableClient.ConnectAsync(cluster.B, key);
        await second.JoinAsync(group);
        await Poll.WaitUntilAsync(() => second.RecoveryFailures.Count > 0, Timeout, "the client was told that recovery failed");
        second.RecoveryFailures.Should().Equal(group);
    }

    [Fact]
    public async Task AddToGroupAsync_GroupWithoutHistory_ReplaysNothing()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = "plain-" + Guid.NewGuid().ToString("N")[..8];
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        await first.LoseConnectionAsync();
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);

        await using var second = await ResumableClient.ConnectAsync(cluster.B, key);
        await second.JoinAsync(group);

        await second.Client.ExpectNothingAsync();
        second.RecoveryFailures.Should().BeEmpty();
        (await fixture.Redis.GetKeysAsync(cluster.ChannelPrefix + ":*history*")).Should().BeEmpty("a group without history has no stream");
    }

    [Fact]
    public async Task AddToGroupAsync_OldConnectionStillOpen_TakesOverWithoutDuplicates()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        (await first.ReadNumberAsync()).Should().Be(0);

        await using var second = await ResumableClient.ConnectAsync(cluster.B, key);
        await second.JoinAsync(group);
        await Poll.WaitUntilAsync(
            () => first.Client.Connection.State == HubConnectionState.Disconnected,
            Timeout,
            "the server closed the older connection with the same resume key");
        await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(1)).WaitAsync(Timeout);

        (await second.ReadNumberAsync()).Should().Be(1, "the first client received message 0 before the takeover");
        await second.Client.ExpectNothingAsync();
        second.RecoveryFailures.Should().BeEmpty();
    }

    [Fact]
    public async Task AddToGroupAsync_InstanceStopped_ReplaysOnOtherInstance()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, serverCount: 3);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        (await first.ReadNumberAsync()).Should().Be(0);

        await cluster.A.DisposeAsync();
        for (var i = 1; i <= 20; i++)
        {
            await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
        }

        await using var second = await ResumableClient.ConnectAsync(cluster.Servers[2], key);
        await second.JoinAsync(group);
        var received = first.Client.DrainReceived().Select(message => message.Text).ToList();
        while (received.Count < 20)
        {
            received.Add((await second.Client.ReadAsync()).Text);
        }

        var expected = Enumerable.Range(1, 20).Select(number => number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        received.Should().Equal(expected);
        await second.Client.ExpectNothingAsync();
        second.RecoveryFailures.Should().BeEmpty();
    }

    [Fact]
    public async Task AddToGroupAsync_SecondJoinOfSameConnection_DoesNotReplayAgain()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        await first.LoseConnectionAsync();
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        await using var second = await ResumableClient.ConnectAsync(cluster.B, key);
        await second.JoinAsync(group);
        (await second.ReadNumberAsync()).Should().Be(0);

        await second.Client.Connection.InvokeAsync(nameof(TestHub.LeaveGroup), group).WaitAsync(Timeout);
        await second.JoinAsync(group);
        await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(1)).WaitAsync(Timeout);

        (await second.ReadNumberAsync()).Should().Be(1, "the stored position was used by the first join only");
        await second.Client.ExpectNothingAsync();
    }

    [Fact]
    public async Task AddToGroupAsync_HubLeftGroupOnDisconnect_StillReplays()
    {
        var group = HistoryTestCluster.NewGroup();
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 2, (_, options) =>
        {
            options.ConfigureBackplane = backplane =>
                backplane.HistoryGroupFilter = static name => name.StartsWith(HistoryTestCluster.GroupPrefix, StringComparison.Ordinal);
            options.ConfigureSignalR = signalr =>
                signalr.AddHubOptions<TestHub>(hub => hub.AddFilter(new LeaveGroupOnDisconnectFilter(group)));
        });
        var key = HistoryTestCluster.NewResumeKey();
        await using var first = await ResumableClient.ConnectAsync(cluster.A, key);
        await first.JoinAsync(group);
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        (await first.ReadNumberAsync()).Should().Be(0);
        await first.LoseConnectionAsync();

        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(1)).WaitAsync(Timeout);
        await using var second = await ResumableClient.ConnectAsync(cluster.B, key);
        await second.JoinAsync(group);

        (await second.ReadNumberAsync()).Should().Be(1, "a leave during the disconnect keeps the position");
        await second.Client.ExpectNothingAsync();
        second.RecoveryFailures.Should().BeEmpty();
    }
}
