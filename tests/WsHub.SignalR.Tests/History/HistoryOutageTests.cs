using System.Net;
using FluentAssertions;
using WsHub.SignalR.Internal;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// An instance that loses Redis while others keep sending to a history group delivers what it missed afterwards.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HistoryOutageTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task RecoverAsync_MessagesSentDuringOutage_DeliveredInOrderThenLive()
    {
        await using var proxy = new CuttableProxy(new IPEndPoint(IPAddress.Loopback, fixture.Redis.Port));
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 2, (index, options) =>
        {
            if (index == 0)
            {
                options.RedisConfiguration = proxy.ConnectionString;
            }

            options.ConfigureBackplane = backplane =>
                backplane.HistoryGroupFilter = static name => name.StartsWith(HistoryTestCluster.GroupPrefix, StringComparison.Ordinal);
        });
        var group = HistoryTestCluster.NewGroup();
        var member = await cluster.ConnectAsync(cluster.A);
        await cluster.A.LifetimeManager.AddToGroupAsync(member.ConnectionId, group).WaitAsync(Timeout);
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        await member.ExpectMessageAsync("0");

        var instanceA = (IWsHubInstance)cluster.A.LifetimeManager;
        proxy.Cut();
        await Poll.WaitUntilAsync(() => !instanceA.IsOnline, Timeout, "server A noticed that Redis is unreachable");
        for (var i = 1; i <= 50; i++)
        {
            await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
        }

        proxy.Restore();
        for (var i = 1; i <= 50; i++)
        {
            (await member.ReadAsync()).Text.Should().Be(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await Poll.WaitUntilAsync(() => instanceA.IsOnline, Timeout, "server A recovered");
        await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(51)).WaitAsync(Timeout);
        await member.ExpectMessageAsync("51");
        await member.ExpectNothingAsync();
    }
}
