using System.Globalization;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// The order of history group messages from several senders on several servers.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HistoryOrderingTests(RedisFixture fixture)
{
    private const int MessagesPerSender = 200;
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task SendGroupAsync_TwoServersSendAtOnce_EachSenderInOrderAndSameOrderEverywhere()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        var onA = await cluster.ConnectAsync(cluster.A);
        var onB = await cluster.ConnectAsync(cluster.B, ClientProtocol.MessagePack);
        await cluster.A.LifetimeManager.AddToGroupAsync(onA.ConnectionId, group).WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, group).WaitAsync(Timeout);

        await Task.WhenAll(
            SendNumberedAsync(cluster.A.LifetimeManager, group, "a"),
            SendNumberedAsync(cluster.B.LifetimeManager, group, "b"));

        var seenOnA = await ReadAllAsync(onA);
        var seenOnB = await ReadAllAsync(onB);

        foreach (var seen in new[] { seenOnA, seenOnB })
        {
            NumbersOf(seen, "a").Should().Equal(Enumerable.Range(0, MessagesPerSender), "messages of one sender keep their order");
            NumbersOf(seen, "b").Should().Equal(Enumerable.Range(0, MessagesPerSender), "messages of one sender keep their order");
        }

        seenOnB.Should().Equal(seenOnA, "every member sees the stream order");
    }

    private static async Task SendNumberedAsync(HubLifetimeManager<TestHub> manager, string group, string sender)
    {
        await Task.Yield();
        for (var i = 0; i < MessagesPerSender; i++)
        {
            var text = sender + "-" + i.ToString(CultureInfo.InvariantCulture);
            await manager.SendGroupAsync(group, TestHub.MessageMethod, [text]).WaitAsync(Timeout);
        }
    }

    private static async Task<List<string>> ReadAllAsync(TestClient client)
    {
        var seen = new List<string>();
        for (var i = 0; i < 2 * MessagesPerSender; i++)
        {
            seen.Add((await client.ReadAsync()).Text);
        }

        await client.ExpectNothingAsync();
        return seen;
    }

    private static IEnumerable<int> NumbersOf(IEnumerable<string> seen, string sender) =>
        seen.Where(text => text.StartsWith(sender + "-", StringComparison.Ordinal))
            .Select(text => int.Parse(text.AsSpan(sender.Length + 1), CultureInfo.InvariantCulture));
}
