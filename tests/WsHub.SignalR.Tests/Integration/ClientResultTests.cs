using System.Diagnostics;
using System.Net;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// InvokeConnectionAsync, where the server waits for a result from a client that may be on another server.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ClientResultTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Theory]
    [InlineData(ClientProtocol.Json, false)]
    [InlineData(ClientProtocol.MessagePack, false)]
    [InlineData(ClientProtocol.Json, true)]
    [InlineData(ClientProtocol.MessagePack, true)]
    public async Task InvokeConnectionAsync_ClientOnEitherServer_ReturnsClientResult(ClientProtocol protocol, bool remote)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var client = await cluster.ConnectAsync(remote ? cluster.B : cluster.A, protocol);

        var result = await cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(client.ConnectionId, TestClient.AddOneMethod, [41], CancellationToken.None)
            .WaitAsync(Timeout);

        result.Should().Be(42);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task InvokeConnectionAsync_ThroughHubContextAndHubMethod_ReturnsResultAcrossServers(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var caller = await cluster.ConnectAsync(cluster.A, protocol);
        var target = await cluster.ConnectAsync(cluster.B, protocol);

        var fromContext = await cluster.A.HubContext.Clients.Client(target.ConnectionId)
            .InvokeAsync<int>(TestClient.AddOneMethod, 1, CancellationToken.None)
            .WaitAsync(Timeout);
        var fromHub = await caller.Connection.InvokeAsync<int>(nameof(TestHub.InvokeAddOne), target.ConnectionId, 9)
            .WaitAsync(Timeout);

        fromContext.Should().Be(2);
        fromHub.Should().Be(10);
    }

    [Fact]
    public async Task InvokeConnectionAsync_ManyConcurrentCallsAcrossServers_EachGetsItsOwnResult()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var onA = await cluster.ConnectAsync(cluster.A);
        var onB = await cluster.ConnectAsync(cluster.B, ClientProtocol.MessagePack);

        var calls = Enumerable.Range(0, 50).Select(async value =>
        {
            var target = value % 2 == 0 ? onA : onB;
            var sender = value % 3 == 0 ? cluster.A : cluster.B;
            var result = await sender.LifetimeManager
                .InvokeConnectionAsync<int>(target.ConnectionId, TestClient.AddOneMethod, [value], CancellationToken.None);
            return (value, result);
        });
        var results = await Task.WhenAll(calls).WaitAsync(Timeout);

        results.Should().OnlyContain(pair => pair.result == pair.value + 1);
    }

    [Fact]
    public async Task InvokeConnectionAsync_UnknownConnection_ThrowsIOException()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var stopwatch = Stopwatch.StartNew();

        var invoke = () => cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>("no-such-connection", TestClient.AddOneMethod, [1], CancellationToken.None)
            .WaitAsync(Timeout);

        (await invoke.Should().ThrowAsync<IOException>()).Which.Message.Should().Contain("does not exist");
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "an unknown connection must fail without waiting for a timeout");
    }

    [Theory]
    [InlineData(ClientProtocol.Json, false)]
    [InlineData(ClientProtocol.Json, true)]
    [InlineData(ClientProtocol.MessagePack, true)]
    public async Task InvokeConnectionAsync_ClientDisconnectsMidCall_Fails(ClientProtocol protocol, bool remote)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var client = await cluster.ConnectAsync(remote ? cluster.B : cluster.A, protocol);
        var pending = cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(client.ConnectionId, TestClient.BlockMethod, [], CancellationToken.None);
        await client.BlockEntered.WaitAsync(Timeout);

        await client.Connection.StopAsync().WaitAsync(Timeout);

        var first = await Task.WhenAny(pending, Task.Delay(Timeout));
        first.Should().BeSameAs(pending, "the call must fail when the client leaves instead of hanging");

        (await FluentActions.Awaiting(() => pending).Should().ThrowAsync<Exception>())
            .Which.Message.Should().Contain("disconnected");
    }

    [Fact]
    public async Task InvokeConnectionAsync_ClientDisconnectsMidCall_SameExceptionTypeLocalAndRemote()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var local = await cluster.ConnectAsync(cluster.A);
        var remote = await cluster.ConnectAsync(cluster.B);
        var localCall = cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(local.ConnectionId, TestClient.BlockMethod, [], CancellationToken.None);
        var remoteCall = cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(remote.ConnectionId, TestClient.BlockMethod, [], CancellationToken.None);
        await Task.WhenAll(local.BlockEntered, remote.BlockEntered).WaitAsync(Timeout);

        await local.Connection.StopAsync().WaitAsync(Timeout);
        await remote.Connection.StopAsync().WaitAsync(Timeout);

        var localError = await FluentActions.Awaiting(() => localCall.WaitAsync(Timeout)).Should().ThrowAsync<Exception>();
        var remoteError = await FluentActions.Awaiting(() => remoteCall.WaitAsync(Timeout)).Should().ThrowAsync<Exception>();
        remoteError.Which.GetType().Should().Be(
            localError.Which.GetType(),
            "a caller must be able to catch one exception type wherever the client was connected");
    }

    [Theory]
    [InlineData(ClientProtocol.Json, false)]
    [InlineData(ClientProtocol.MessagePack, false)]
    [InlineData(ClientProtocol.Json, true)]
    [InlineData(ClientProtocol.MessagePack, true)]
    public async Task InvokeConnectionAsync_ResultOfWrongType_FailsNamingDeserialization(ClientProtocol protocol, bool remote)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var client = await cluster.ConnectAsync(remote ? cluster.B : cluster.A, protocol);

        var invoke = () => cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(client.ConnectionId, TestClient.GetTextMethod, [], CancellationToken.None)
            .WaitAsync(Timeout);

        var thrown = await invoke.Should().ThrowAsync<Exception>();
        thrown.Which.Should().NotBeOfType<TimeoutException>();
        thrown.Which.Message.Should().ContainAny("deserializ", "Int32");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task InvokeConnectionAsync_TokenCanceled_ThrowsOperationCanceledException(bool remote)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var client = await cluster.ConnectAsync(remote ? cluster.B : cluster.A);
        using var cancellation = new CancellationTokenSource();
        var pending = cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(client.ConnectionId, TestClient.BlockMethod, [], cancellation.Token);
        await client.BlockEntered.WaitAsync(Timeout);

        await cancellation.CancelAsync();

        await FluentActions.Awaiting(() => pending.WaitAsync(Timeout)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [InlineData(ClientProtocol.Json, false)]
    [InlineData(ClientProtocol.Json, true)]
    [InlineData(ClientProtocol.MessagePack, true)]
    public async Task InvokeConnectionAsync_ClientThrows_FailsWithClientError(ClientProtocol protocol, bool remote)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var client = await cluster.ConnectAsync(remote ? cluster.B : cluster.A, protocol);

        var invoke = () => cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(client.ConnectionId, TestClient.ThrowMethod, [], CancellationToken.None)
            .WaitAsync(Timeout);

        (await invoke.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain(TestClient.ClientErrorText);
    }

    [Fact]
    public async Task InvokeConnectionAsync_OwningServerVanishes_FailsWithinInstanceTimeout()
    {
        var instanceTimeout = TimeSpan.FromSeconds(2);
        var redisEndPoint = new IPEndPoint(IPAddress.Loopback, fixture.Redis.Port);
        await using var proxy = new TcpProxy(redisEndPoint);
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 2, (index, options) =>
        {
            // Server B reaches Redis through the proxy, so freezing the proxy makes B silent without a graceful shutdown.
            if (index == 1)
            {
                options.RedisConfiguration = proxy.ConnectionString;
            }

            options.ConfigureBackplane = backplane =>
            {
                backplane.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
                backplane.InstanceTimeout = instanceTimeout;
            };
        });
        var client = await cluster.ConnectAsync(cluster.B);
        var pending = cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(client.ConnectionId, TestClient.BlockMethod, [], CancellationToken.None);
        await client.BlockEntered.WaitAsync(Timeout);
        var stopwatch = Stopwatch.StartNew();

        proxy.Freeze();

        var deadline = instanceTimeout + TimeSpan.FromSeconds(5);
        var first = await Task.WhenAny(pending, Task.Delay(deadline));
        first.Should().BeSameAs(pending, "the call must fail within {0} once server B counts as dead, not hang", deadline);
        await FluentActions.Awaiting(() => pending).Should().ThrowAsync<IOException>();

        // Closing the proxy first lets server B stop without waiting on the frozen Redis link.
        await proxy.DisposeAsync();
    }
}
