using System.Diagnostics;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace WsHub.SignalR.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterClientResultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task InvokeClient_HolderKilled_FailsWithinTimeout()
    {
        await using var cluster = await WsHubCluster.StartAsync(2, output);
        var (a, b) = (cluster.Servers[0], cluster.Servers[1]);
        var caller = await cluster.ConnectAsync(a, "caller");

        // A client on the other instance that replies shows that the remote path works before it is broken.
        var answering = await cluster.ConnectAsync(b, "answering");
        answering.Connection.On<string, string>("Ask", question => Task.FromResult("answer to " + question));
        var answer = await caller.Connection.InvokeAsync<string>("AskClient", answering.ConnectionId, "ping")
            .WaitAsync(TimeSpan.FromSeconds(10));
        answer.Should().Be("answer to ping");

        // This client receives the question but never replies.
        var asked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var silent = await cluster.ConnectAsync(b, "silent");
        silent.Connection.On<string, string>("Ask", question =>
        {
            asked.TrySetResult(question);
            return new TaskCompletionSource<string>().Task;
        });

        var call = caller.Connection.InvokeAsync<string>("AskClient", silent.ConnectionId, "are you there?");
        (await asked.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be("are you there?");
        call.IsCompleted.Should().BeFalse("the silent client has not answered");

        var stopwatch = Stopwatch.StartNew();
        await b.KillAsync();
        var failure = await FluentActions.Awaiting(() => call.WaitAsync(TimeSpan.FromSeconds(20)))
            .Should().ThrowAsync<HubException>();
        var elapsed = stopwatch.Elapsed;

        failure.Which.Message.Should().Contain(b.InstanceId, "the error names the instance that went away");
        elapsed.Should().BeLessThanOrEqualTo(
            cluster.Timings.InstanceTimeout + (2 * cluster.Timings.Heartbeat) + TimeSpan.FromSeconds(1),
            "the caller's instance fails the call once the holder misses heartbeats for the instance timeout");
    }
}
