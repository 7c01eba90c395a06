using System.Diagnostics;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// A hub call that sends to a group never waits on an unreachable Redis for longer than the operation timeout, and
/// the sender's local group members still receive the message. A join while Redis hangs completes as well.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class OutageLatencyTests
{
    private const string GroupName = "room";
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Allowance = TimeSpan.FromSeconds(1);

    /// <summary>How Redis becomes unreachable.</summary>
    public enum Outage
    {
        /// <summary>SIGKILL: the sockets close and StackExchange.Redis notices at once.</summary>
        Killed,

        /// <summary>SIGSTOP: the sockets stay open and Redis replies to nothing.</summary>
        Paused,
    }

    [Theory]
    [InlineData(Outage.Killed)]
    [InlineData(Outage.Paused)]
    public async Task SendToGroup_RedisUnreachable_WithinOperationTimeout(Outage outage)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) => options.ConfigureBackplane = backplane =>
            {
                Backplane.UseFastHeartbeat(backplane);
                backplane.OperationTimeout = OperationTimeout;
            });
        var caller = await cluster.ConnectAsync(cluster.A);
        var localMember = await cluster.ConnectAsync(cluster.A);
        var remoteMember = await cluster.ConnectAsync(cluster.B);
        await cluster.A.LifetimeManager.AddToGroupAsync(localMember.ConnectionId, GroupName).WaitAsync(TestTimeouts.Default);
        await cluster.B.LifetimeManager.AddToGroupAsync(remoteMember.ConnectionId, GroupName).WaitAsync(TestTimeouts.Default);

        if (outage == Outage.Killed)
        {
            await redis.KillAsync();
        }
        else
        {
            redis.Pause();
        }

        try
        {
            var elapsed = new List<TimeSpan>();
            for (var number = 1; number <= 3; number++)
            {
                var call = Stopwatch.StartNew();
                try
                {
                    await caller.Connection.InvokeAsync(nameof(TestHub.SendToGroup), GroupName, $"during {number}")
                        .WaitAsync(TestTimeouts.Default);
                }
                catch (HubException)
                {
                    // A call past a buffer bound may fail; only its duration matters here.
                }

                elapsed.Add(call.Elapsed);
                await localMember.ExpectMessageAsync($"during {number}");
            }

            elapsed.Should().AllSatisfy(duration => duration.Should().BeLessThan(
                OperationTimeout + Allowance,
                "a hub call waits on Redis at most OperationTimeout ({0}) while Redis is {1}; durations: {2}",
                OperationTimeout,
                outage,
                string.Join(", ", elapsed.Select(d => $"{d.TotalMilliseconds:F0} ms"))));
        }
        finally
        {
            if (outage == Outage.Paused)
            {
                redis.Resume();
            }
        }
    }

    [Fact]
    public async Task AddToGroupAsync_RedisPaused_JoinsAndCatchesUp()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) => options.ConfigureBackplane = backplane =>
            {
                Backplane.UseFastHeartbeat(backplane);
                backplane.OperationTimeout = OperationTimeout;
            });
        var member = await cluster.ConnectAsync(cluster.B);

        // SIGSTOP keeps the sockets open, so StackExchange.Redis reports no broken connection and WsHub does not enter outage mode.
        redis.Pause();
        try
        {
            await cluster.B.LifetimeManager.AddToGroupAsync(member.ConnectionId, GroupName).WaitAsync(TestTimeouts.Default);
            await cluster.B.LifetimeManager.SendGroupAsync(GroupName, TestHub.MessageMethod, ["local"]).WaitAsync(TestTimeouts.Default);
            await member.ExpectMessageAsync("local");
        }
        finally
        {
            redis.Resume();
        }

        // Once Redis replies again, the group's channel is subscribed and messages from the other server arrive.
        var attempt = 0;
        await Poll.WaitUntilAsync(
            async () =>
            {
                var text = $"remote {attempt++}";
                await cluster.A.LifetimeManager.SendGroupAsync(GroupName, TestHub.MessageMethod, [text]).WaitAsync(TestTimeouts.Default);
                return member.DrainReceived().Any(message => message.Text.StartsWith("remote", StringComparison.Ordinal));
            },
            TestTimeouts.Recovery,
            "a group message from server A reaches the member that joined on B while Redis was paused");
    }
}
