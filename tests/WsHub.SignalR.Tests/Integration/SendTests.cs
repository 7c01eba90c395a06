using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// Every send member of the lifetime manager across two servers on one Redis, with JSON and MessagePack clients.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SendTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendAllAsync_FromEitherServer_EveryConnectionReceivesOnce(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A, protocol);
        var onB = await cluster.ConnectAsync(cluster.B, protocol);
        var otherProtocolOnB = await cluster.ConnectAsync(cluster.B, Other(protocol));

        await cluster.A.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("from A")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("from A", onA, onB, otherProtocolOnB);

        await cluster.B.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("from B")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("from B", onA, onB, otherProtocolOnB);
    }

    [Fact]
    public async Task SendAllAsync_ThroughHubContext_ReachesBothServers()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A);
        var onB = await cluster.ConnectAsync(cluster.B, ClientProtocol.MessagePack);

        await cluster.B.HubContext.Clients.All.SendAsync(TestHub.MessageMethod, "context").WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("context", onA, onB);
    }

    [Fact]
    public async Task SendAllAsync_AfterConnectionLeft_OthersReceiveAndSendSucceeds()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A);
        var leaving = await cluster.ConnectAsync(cluster.B);
        var staying = await cluster.ConnectAsync(cluster.B);
        var leavingId = leaving.ConnectionId;
        await leaving.DisposeAsync();

        await cluster.A.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("after leave")).WaitAsync(Timeout);
        await cluster.A.LifetimeManager.SendConnectionAsync(leavingId, TestHub.MessageMethod, Delivery.Args("to gone"))
            .WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("after leave", onA, staying);
        leaving.DrainReceived().Should().BeEmpty("the client stopped before the sends");
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendAllExceptAsync_LocalAndRemoteExcluded_OnlyOthersReceive(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var includedOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var excludedOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var includedOnB = await cluster.ConnectAsync(cluster.B, protocol);
        var excludedOnB = await cluster.ConnectAsync(cluster.B, protocol);
        string[] excluded = [excludedOnA.ConnectionId, excludedOnB.ConnectionId];

        await cluster.A.LifetimeManager.SendAllExceptAsync(TestHub.MessageMethod, Delivery.Args("except"), excluded)
            .WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("except", includedOnA, includedOnB);
        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, excludedOnA);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, excludedOnB);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendConnectionAsync_LocalOrRemoteTarget_OnlyTargetReceivesOnce(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A, protocol);
        var onB = await cluster.ConnectAsync(cluster.B, protocol);
        var bystanderOnB = await cluster.ConnectAsync(cluster.B, protocol);

        await cluster.A.LifetimeManager.SendConnectionAsync(onB.ConnectionId, TestHub.MessageMethod, Delivery.Args("remote"))
            .WaitAsync(Timeout);
        await cluster.A.LifetimeManager.SendConnectionAsync(onA.ConnectionId, TestHub.MessageMethod, Delivery.Args("local"))
            .WaitAsync(Timeout);
        await cluster.B.LifetimeManager.SendConnectionAsync(onA.ConnectionId, TestHub.MessageMethod, Delivery.Args("from B"))
            .WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("remote", onB);
        await onA.ExpectMessageAsync("local");
        await Delivery.ExpectEachOnceAsync("from B", onA);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, bystanderOnB);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendConnectionsAsync_TargetsOnBothServers_EachReceivesOnce(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var targetOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var targetOnB = await cluster.ConnectAsync(cluster.B, protocol);
        var secondTargetOnB = await cluster.ConnectAsync(cluster.B, Other(protocol));
        var bystanderOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var bystanderOnB = await cluster.ConnectAsync(cluster.B, protocol);
        string[] targets = [targetOnA.ConnectionId, targetOnB.ConnectionId, secondTargetOnB.ConnectionId];

        await cluster.A.LifetimeManager.SendConnectionsAsync(targets, TestHub.MessageMethod, Delivery.Args("several"))
            .WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("several", targetOnA, targetOnB, secondTargetOnB);
        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, bystanderOnA);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, bystanderOnB);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendGroupAsync_MembersOnBothServers_EachReceivesOnce(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var memberOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var memberOnB = await cluster.ConnectAsync(cluster.B, protocol);
        var outsiderOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var outsiderOnB = await cluster.ConnectAsync(cluster.B, protocol);
        await cluster.A.LifetimeManager.AddToGroupAsync(memberOnA.ConnectionId, "room").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(memberOnB.ConnectionId, "room").WaitAsync(Timeout);

        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("from A")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("from A", memberOnA, memberOnB);

        await cluster.B.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("from B")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("from B", memberOnA, memberOnB);

        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, outsiderOnA);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, outsiderOnB);
    }

    [Fact]
    public async Task SendGroupAsync_NoMembersAnywhere_Completes()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var bystander = await cluster.ConnectAsync(cluster.B);

        await cluster.A.LifetimeManager.SendGroupAsync("empty", TestHub.MessageMethod, Delivery.Args("nobody")).WaitAsync(Timeout);

        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, bystander);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendGroupsAsync_ListedGroups_OnlyTheirMembersReceive(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var redOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var blueOnB = await cluster.ConnectAsync(cluster.B, protocol);
        var greenOnB = await cluster.ConnectAsync(cluster.B, protocol);
        await cluster.A.LifetimeManager.AddToGroupAsync(redOnA.ConnectionId, "red").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(blueOnB.ConnectionId, "blue").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(greenOnB.ConnectionId, "green").WaitAsync(Timeout);

        await cluster.A.LifetimeManager.SendGroupsAsync(["red", "blue"], TestHub.MessageMethod, Delivery.Args("red and blue"))
            .WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("red and blue", redOnA, blueOnB);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, greenOnB);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendGroupExceptAsync_ExcludedMembers_ReceiveNothing(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var includedOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var excludedOnA = await cluster.ConnectAsync(cluster.A, protocol);
        var includedOnB = await cluster.ConnectAsync(cluster.B, protocol);
        var excludedOnB = await cluster.ConnectAsync(cluster.B, protocol);
        foreach (var (server, client) in new[]
                 {
                     (cluster.A, includedOnA), (cluster.A, excludedOnA), (cluster.B, includedOnB), (cluster.B, excludedOnB),
                 })
        {
            await server.LifetimeManager.AddToGroupAsync(client.ConnectionId, "room").WaitAsync(Timeout);
        }

        string[] excluded = [excludedOnA.ConnectionId, excludedOnB.ConnectionId];
        await cluster.B.LifetimeManager.SendGroupExceptAsync("room", TestHub.MessageMethod, Delivery.Args("except"), excluded)
            .WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("except", includedOnA, includedOnB);
        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, excludedOnA);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, excludedOnB);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendUserAsync_UserOnBothServers_EveryConnectionOfUserReceivesOnce(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var aliceOnA = await cluster.ConnectAsync(cluster.A, protocol, "alice");
        var aliceOnB = await cluster.ConnectAsync(cluster.B, protocol, "alice");
        var secondAliceOnB = await cluster.ConnectAsync(cluster.B, Other(protocol), "alice");
        var bobOnB = await cluster.ConnectAsync(cluster.B, protocol, "bob");
        var aliceUpperCaseOnB = await cluster.ConnectAsync(cluster.B, protocol, "Alice");

        await cluster.A.LifetimeManager.SendUserAsync("alice", TestHub.MessageMethod, Delivery.Args("to alice")).WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("to alice", aliceOnA, aliceOnB, secondAliceOnB);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, bobOnB, aliceUpperCaseOnB);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendUsersAsync_ListedUsers_EachConnectionReceivesOnce(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var aliceOnA = await cluster.ConnectAsync(cluster.A, protocol, "alice");
        var bobOnB = await cluster.ConnectAsync(cluster.B, protocol, "bob");
        var bobOnA = await cluster.ConnectAsync(cluster.A, protocol, "bob");
        var carolOnB = await cluster.ConnectAsync(cluster.B, protocol, "carol");

        await cluster.B.LifetimeManager.SendUsersAsync(["alice", "bob", "nobody"], TestHub.MessageMethod, Delivery.Args("users"))
            .WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("users", aliceOnA, bobOnB, bobOnA);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, carolOnB);
    }

    [Fact]
    public async Task SendUserAsync_UserLeftOneServer_RemainingConnectionReceives()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var aliceOnA = await cluster.ConnectAsync(cluster.A, userId: "alice");
        var aliceOnB = await cluster.ConnectAsync(cluster.B, userId: "alice");
        await aliceOnB.DisposeAsync();

        await cluster.B.LifetimeManager.SendUserAsync("alice", TestHub.MessageMethod, Delivery.Args("still here")).WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("still here", aliceOnA);
        aliceOnB.DrainReceived().Should().BeEmpty("the connection closed before the send");
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task HubMethods_CalledByClientOnA_ReachClientsOnB(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var caller = await cluster.ConnectAsync(cluster.A, protocol, "caller");
        var target = await cluster.ConnectAsync(cluster.B, protocol, "target");
        await caller.Connection.InvokeAsync(nameof(TestHub.JoinGroup), "room").WaitAsync(Timeout);
        await target.Connection.InvokeAsync(nameof(TestHub.JoinGroup), "room").WaitAsync(Timeout);

        await caller.Connection.InvokeAsync(nameof(TestHub.SendToOthersInGroup), "room", "others in group").WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("others in group", target);

        await caller.Connection.InvokeAsync(nameof(TestHub.SendToOthers), "others").WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("others", target);

        await caller.Connection.InvokeAsync(nameof(TestHub.SendToUser), "target", "user").WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("user", target);

        await caller.Connection.InvokeAsync(nameof(TestHub.SendToConnection), target.ConnectionId, "connection").WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("connection", target);

        await caller.Connection.InvokeAsync(nameof(TestHub.SendToGroup), "room", "group").WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("group", caller, target);

        var echoed = await caller.Connection.InvokeAsync<string>(nameof(TestHub.Echo), "echo").WaitAsync(Timeout);
        echoed.Should().Be("echo");
        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, caller);
    }

    private static ClientProtocol Other(ClientProtocol protocol) =>
        protocol == ClientProtocol.Json ? ClientProtocol.MessagePack : ClientProtocol.Json;
}
