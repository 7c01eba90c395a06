using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// Reading stored group messages through <see cref="WsHubHistory{THub}"/>.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class WsHubHistoryTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task ReadLatestAsync_AfterSends_ReturnsNewestOldestFirst()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        for (var i = 0; i < 10; i++)
        {
            await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
        }

        // The reader of the sending server issues its read after the appends on the same Redis connection, so it sees them.
        var history = cluster.A.Services.GetRequiredService<WsHubHistory<TestHub>>();
        var latest = await history.ReadLatestAsync(group, 3).WaitAsync(Timeout);

        latest.Select(entry => entry.Arguments[0].GetString()).Should().Equal("7", "8", "9");
        latest.Should().OnlyContain(entry => entry.MethodName == TestHub.MessageMethod);
        latest[0].SerializedMessages.Keys.Should().BeEquivalentTo("json", "messagepack");
    }

    [Fact]
    public async Task ReadAfterAsync_FromOffset_ReturnsLaterEntriesInPages()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis);
        var group = HistoryTestCluster.NewGroup();
        for (var i = 0; i < 10; i++)
        {
            await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
        }

        var history = cluster.A.Services.GetRequiredService<WsHubHistory<TestHub>>();
        var first = await history.ReadAfterAsync(group, "0-0", 4).WaitAsync(Timeout);
        var second = await history.ReadAfterAsync(group, first[^1].Offset, 100).WaitAsync(Timeout);

        first.Select(entry => entry.Arguments[0].GetString()).Should().Equal("0", "1", "2", "3");
        second.Select(entry => entry.Arguments[0].GetString()).Should().Equal("4", "5", "6", "7", "8", "9");
    }

    [Fact]
    public async Task ReadAfterAsync_InvalidOffset_ThrowsArgumentException()
    {
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, serverCount: 1);
        var history = cluster.A.Services.GetRequiredService<WsHubHistory<TestHub>>();

        var read = () => history.ReadAfterAsync("history-x", "not-an-id", 1);

        await read.Should().ThrowAsync<ArgumentException>().WithMessage("*not-an-id*");
    }
}
