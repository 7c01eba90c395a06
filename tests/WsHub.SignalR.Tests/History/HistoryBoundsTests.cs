using FluentAssertions;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// The size and lifetime limits of history streams and resume positions in Redis.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HistoryBoundsTests(RedisFixture fixture)
{
    // Redis trims a stream with MAXLEN ~ only in whole nodes of stream-node-max-entries (100 by default).
    private const int TrimSlack = 100;
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task SendGroupAsync_ManyMessages_StreamStaysNearMaxLength()
    {
        const int maxLength = 50;
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, options => options.HistoryMaxLength = maxLength);
        var group = HistoryTestCluster.NewGroup();
        var streamKey = HistoryTestCluster.StreamKey(cluster, group);
        var member = await cluster.ConnectAsync(cluster.B);
        await cluster.B.LifetimeManager.AddToGroupAsync(member.ConnectionId, group).WaitAsync(Timeout);

        long maxSeen = 0;
        for (var i = 0; i < 600; i++)
        {
            await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
            if (i % 50 == 49)
            {
                maxSeen = Math.Max(maxSeen, (long)await fixture.Redis.ExecuteAsync("XLEN", streamKey));
            }
        }

        // The member receives the last message only after the script that appended it has run.
        for (var i = 0; i < 600; i++)
        {
            await member.ExpectMessageAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var length = (long)await fixture.Redis.ExecuteAsync("XLEN", streamKey);
        length.Should().BeGreaterThanOrEqualTo(maxLength, "trimming never goes below the maximum length");
        maxSeen.Should().BeLessThanOrEqualTo(maxLength + TrimSlack);
    }

    [Fact]
    public async Task SendGroupAsync_ShortMaxAge_StreamAndResumeKeysExpire()
    {
        // Long enough that the keys do not expire before the test reads them on a loaded machine.
        var maxAge = TimeSpan.FromSeconds(2);
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, options => options.HistoryMaxAge = maxAge);
        var group = HistoryTestCluster.NewGroup();
        var key = HistoryTestCluster.NewResumeKey();
        var streamKey = HistoryTestCluster.StreamKey(cluster, group);
        var resumeKey = HistoryTestCluster.ResumeKey(cluster, key);
        await using var client = await ResumableClient.ConnectAsync(cluster.A, key);
        await client.JoinAsync(group);

        await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(0)).WaitAsync(Timeout);
        (await client.ReadNumberAsync()).Should().Be(0);
        var streamTtl = (long)await fixture.Redis.ExecuteAsync("PTTL", streamKey);
        await client.LoseConnectionAsync();
        await Poll.WaitUntilAsync(
            async () => (string?)await fixture.Redis.ExecuteAsync("HGET", resumeKey, "g:" + group) is not null,
            Timeout,
            "the disconnect stored the client's position");
        var resumeTtl = (long)await fixture.Redis.ExecuteAsync("PTTL", resumeKey);

        streamTtl.Should().BeInRange(1, (long)maxAge.TotalMilliseconds);
        resumeTtl.Should().BeInRange(1, 2 * (long)maxAge.TotalMilliseconds, "resume positions live twice the history age");
        await Poll.WaitUntilAsync(
            async () => (long)await fixture.Redis.ExecuteAsync("EXISTS", streamKey, resumeKey) == 0,
            Timeout,
            "the stream and the resume positions expired");
    }

    [Fact]
    public async Task SendGroupAsync_OldEntries_TrimmedByMaxAge()
    {
        // The stream expires this long after its last entry, so the count of five must be read within it.
        var maxAge = TimeSpan.FromMilliseconds(1500);
        await using var cluster = await HistoryTestCluster.StartAsync(fixture.Redis, options => options.HistoryMaxAge = maxAge);
        var group = HistoryTestCluster.NewGroup();
        var streamKey = HistoryTestCluster.StreamKey(cluster, group);
        for (var i = 0; i < 5; i++)
        {
            await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(i)).WaitAsync(Timeout);
        }

        // A send returns before Redis has run the script, so the entries appear a moment later.
        await Poll.WaitUntilAsync(
            async () => (long)await fixture.Redis.ExecuteAsync("XLEN", streamKey) == 5,
            Timeout,
            "the five messages are in the stream");
        var first = (RedisResult[])(await fixture.Redis.ExecuteAsync("XRANGE", streamKey, "-", "+", "COUNT", "1"))!;
        var firstId = (string)((RedisResult[])first[0]!)[0]!;

        // Each send removes the entries older than the maximum age, so a send after that age leaves one entry.
        var number = 5;
        await Poll.WaitUntilAsync(
            async () =>
            {
                await cluster.A.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, HistoryTestCluster.Args(number++));
                var entry = (RedisResult[])(await fixture.Redis.ExecuteAsync("XRANGE", streamKey, firstId, firstId))!;
                return entry.Length == 0;
            },
            Timeout,
            "the oldest entry was trimmed for its age");

        var length = (long)await fixture.Redis.ExecuteAsync("XLEN", streamKey);
        length.Should().BeLessThan(number, "entries older than the maximum age are gone");
    }
}
