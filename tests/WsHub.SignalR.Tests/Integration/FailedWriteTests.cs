using System.Globalization;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// A connection that goes away while messages are being written to it must not stop delivery to the others.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class FailedWriteTests(RedisFixture fixture)
{
    private const int MessageCount = 40;
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendGroupAsync_MemberDisconnectsDuringSends_OthersReceiveEveryMessage(bool abortFromServer)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var leaving = await cluster.ConnectAsync(cluster.B);
        var stayingOnB = await cluster.ConnectAsync(cluster.B, ClientProtocol.MessagePack);
        var stayingOnA = await cluster.ConnectAsync(cluster.A);
        foreach (var client in new[] { leaving, stayingOnB, stayingOnA })
        {
            await cluster.A.LifetimeManager.AddToGroupAsync(client.ConnectionId, "room").WaitAsync(Timeout);
        }

        Task? leave = null;
        for (var index = 0; index < MessageCount; index++)
        {
            if (index == MessageCount / 4)
            {
                // The leaving client goes away while later messages are still in flight to it.
                leave = abortFromServer
                    ? leaving.Connection.SendAsync(nameof(TestHub.AbortConnection))
                    : leaving.DisposeAsync().AsTask();
            }

            var text = index.ToString(CultureInfo.InvariantCulture);
            await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args(text)).WaitAsync(Timeout);
        }

        await leave!.WaitAsync(Timeout);
        foreach (var client in new[] { stayingOnB, stayingOnA })
        {
            var received = new List<string>();
            for (var index = 0; index < MessageCount; index++)
            {
                received.Add((await client.ReadAsync()).Text);
            }

            received.Should().Equal(Enumerable.Range(0, MessageCount).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public async Task SendAllAsync_ToConnectionThatJustLeft_DoesNotThrowAndOthersReceive()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var staying = await cluster.ConnectAsync(cluster.B);
        var leavingClients = new List<TestClient>();
        for (var index = 0; index < 5; index++)
        {
            leavingClients.Add(await cluster.ConnectAsync(cluster.B));
        }

        var leaving = Task.WhenAll(leavingClients.Select(client => client.DisposeAsync().AsTask()));
        for (var index = 0; index < 10; index++)
        {
            await cluster.A.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("all")).WaitAsync(Timeout);
            string[] leavingIds = [.. leavingClients.Select(client => client.ConnectionId)];
            await cluster.A.LifetimeManager.SendConnectionsAsync(leavingIds, TestHub.MessageMethod, Delivery.Args("gone"))
                .WaitAsync(Timeout);
        }

        await leaving.WaitAsync(Timeout);
        for (var index = 0; index < 10; index++)
        {
            await staying.ExpectMessageAsync("all");
        }
    }
}
