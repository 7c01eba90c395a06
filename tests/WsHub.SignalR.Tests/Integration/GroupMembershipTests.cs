using System.Diagnostics;
using System.Net;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// AddToGroupAsync and RemoveFromGroupAsync for connections on the calling server, on the other server, and nowhere.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class GroupMembershipTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task AddToGroupAsync_ConnectionOnOtherServer_ReceivesGroupMessages(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A, protocol);

        await cluster.B.LifetimeManager.AddToGroupAsync(onA.ConnectionId, "room").WaitAsync(Timeout);

        await cluster.B.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("from B")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("from B", onA);
        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("from A")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("from A", onA);
    }

    [Fact]
    public async Task AddToGroupAsync_ThroughHubForConnectionOnOtherServer_ReceivesGroupMessages()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var caller = await cluster.ConnectAsync(cluster.A);
        var target = await cluster.ConnectAsync(cluster.B);

        await caller.Connection.InvokeAsync(nameof(TestHub.AddConnectionToGroup), target.ConnectionId, "room").WaitAsync(Timeout);
        await caller.Connection.InvokeAsync(nameof(TestHub.SendToGroup), "room", "joined").WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("joined", target);

        await caller.Connection.InvokeAsync(nameof(TestHub.RemoveConnectionFromGroup), target.ConnectionId, "room").WaitAsync(Timeout);
        await caller.Connection.InvokeAsync(nameof(TestHub.SendToGroup), "room", "after leave").WaitAsync(Timeout);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, target);
        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, caller);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AddToGroupAsync_AddedTwice_ReceivesEachMessageOnce(bool secondAddFromOtherServer)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A);
        var secondAdder = secondAddFromOtherServer ? cluster.B : cluster.A;

        await cluster.A.LifetimeManager.AddToGroupAsync(onA.ConnectionId, "room").WaitAsync(Timeout);
        await secondAdder.LifetimeManager.AddToGroupAsync(onA.ConnectionId, "room").WaitAsync(Timeout);

        await cluster.B.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("once")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("once", onA);
        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("local once")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("local once", onA);
    }

    [Fact]
    public async Task AddToGroupAsync_AddedTwiceThenRemovedOnce_LeavesGroup()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onB = await cluster.ConnectAsync(cluster.B);
        await cluster.A.LifetimeManager.AddToGroupAsync(onB.ConnectionId, "room").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, "room").WaitAsync(Timeout);

        await cluster.A.LifetimeManager.RemoveFromGroupAsync(onB.ConnectionId, "room").WaitAsync(Timeout);

        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("gone")).WaitAsync(Timeout);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, onB);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task RemoveFromGroupAsync_ConnectionOnOtherServer_StopsDelivery(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A, protocol);
        var stayingOnB = await cluster.ConnectAsync(cluster.B, protocol);
        await cluster.A.LifetimeManager.AddToGroupAsync(onA.ConnectionId, "room").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(stayingOnB.ConnectionId, "room").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("before")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("before", onA, stayingOnB);

        await cluster.B.LifetimeManager.RemoveFromGroupAsync(onA.ConnectionId, "room").WaitAsync(Timeout);

        await cluster.B.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("after")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("after", stayingOnB);
        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, onA);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RemoveFromGroupAsync_ConnectionNotInGroup_DoesNothing(bool fromOtherServer)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A);
        var memberOnB = await cluster.ConnectAsync(cluster.B);
        await cluster.B.LifetimeManager.AddToGroupAsync(memberOnB.ConnectionId, "room").WaitAsync(Timeout);
        var remover = fromOtherServer ? cluster.B : cluster.A;

        await remover.LifetimeManager.RemoveFromGroupAsync(onA.ConnectionId, "room").WaitAsync(Timeout);
        await remover.LifetimeManager.RemoveFromGroupAsync(onA.ConnectionId, "never-created").WaitAsync(Timeout);

        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("room")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("room", memberOnB);
        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, onA);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GroupChange_ConnectionThatExistsNowhere_CompletesWithinTwoSeconds(bool add)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var bystander = await cluster.ConnectAsync(cluster.B);
        var stopwatch = Stopwatch.StartNew();

        var change = add
            ? cluster.A.LifetimeManager.AddToGroupAsync("no-such-connection", "room")
            : cluster.A.LifetimeManager.RemoveFromGroupAsync("no-such-connection", "room");
        await change.WaitAsync(Timeout);

        stopwatch.Elapsed.Should().BeLessThan(
            TimeSpan.FromSeconds(2),
            "a group change for an unknown connection must not wait for a timeout");
        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("room")).WaitAsync(Timeout);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, bystander);
    }

    [Fact]
    public async Task GroupChange_ConnectionThatLeftOtherServer_CompletesWithinTwoSeconds()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var leaving = await cluster.ConnectAsync(cluster.B);
        var leftId = leaving.ConnectionId;
        await leaving.DisposeAsync();
        var stopwatch = Stopwatch.StartNew();

        await cluster.A.LifetimeManager.AddToGroupAsync(leftId, "room").WaitAsync(Timeout);
        await cluster.A.LifetimeManager.RemoveFromGroupAsync(leftId, "room").WaitAsync(Timeout);

        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "both changes target a connection that is gone");
    }

    [Fact]
    public async Task OnDisconnectedAsync_MemberOnOtherServerLeaves_GroupNoLongerDeliversToIt()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var leaving = await cluster.ConnectAsync(cluster.B);
        var staying = await cluster.ConnectAsync(cluster.B);
        await cluster.A.LifetimeManager.AddToGroupAsync(leaving.ConnectionId, "room").WaitAsync(Timeout);
        await cluster.A.LifetimeManager.AddToGroupAsync(staying.ConnectionId, "room").WaitAsync(Timeout);

        await leaving.DisposeAsync();
        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("after")).WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("after", staying);
        leaving.DrainReceived().Should().BeEmpty();
    }

    [Fact]
    public async Task AddToGroupAsync_HoldingServerHung_FailsWithinOperationTimeout()
    {
        var operationTimeout = TimeSpan.FromSeconds(1);
        await using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, fixture.Redis.Port));
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 2, (index, options) =>
        {
            // Server B reaches Redis through the proxy, so freezing the proxy makes B stop replying.
            if (index == 1)
            {
                options.RedisConfiguration = proxy.ConnectionString;
            }

            options.ConfigureBackplane = backplane => backplane.OperationTimeout = operationTimeout;
        });
        var onB = await cluster.ConnectAsync(cluster.B);

        proxy.Freeze();
        var stopwatch = Stopwatch.StartNew();
        var add = cluster.A.LifetimeManager.AddToGroupAsync(onB.ConnectionId, "room");
        var first = await Task.WhenAny(add, Task.Delay(Timeout));

        first.Should().BeSameAs(add, "a group change must not hang when the holding server does not acknowledge it");
        (await FluentActions.Awaiting(() => add).Should().ThrowAsync<TimeoutException>())
            .Which.Message.Should().Contain("OperationTimeout");
        stopwatch.Elapsed.Should().BeLessThan(operationTimeout + TimeSpan.FromSeconds(3));

        // Closing the proxy first lets server B stop without waiting on the frozen Redis link.
        await proxy.DisposeAsync();
    }
}
