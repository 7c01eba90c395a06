using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// WsHubOptions that change how the backplane connects and names its Redis channels and keys.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class OptionsTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task ChannelPrefix_TwoAppsOnOneRedis_DoNotReceiveEachOthersMessages()
    {
        await using var first = await TestCluster.StartAsync(fixture.Redis);
        await using var second = await TestCluster.StartAsync(fixture.Redis);
        var firstClient = await first.ConnectAsync(first.B, userId: "alice");
        var secondClient = await second.ConnectAsync(second.B, userId: "alice");
        await first.B.LifetimeManager.AddToGroupAsync(firstClient.ConnectionId, "room").WaitAsync(Timeout);
        await second.B.LifetimeManager.AddToGroupAsync(secondClient.ConnectionId, "room").WaitAsync(Timeout);

        await first.A.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("all")).WaitAsync(Timeout);
        await first.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("group")).WaitAsync(Timeout);
        await first.A.LifetimeManager.SendUserAsync("alice", TestHub.MessageMethod, Delivery.Args("user")).WaitAsync(Timeout);

        // The three sends take different Redis channels, so their order on arrival is not defined.
        var received = new List<string>();
        for (var index = 0; index < 3; index++)
        {
            received.Add((await firstClient.ReadAsync()).Text);
        }

        received.Should().BeEquivalentTo(["all", "group", "user"]);
        await Delivery.ExpectNothingAsync(second.A.LifetimeManager, secondClient);
    }

    [Fact]
    public async Task ChannelPrefix_EveryKeyAndChannel_StartsWithPrefix()
    {
        // A server of its own, so that every key and channel on it belongs to this app.
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await TestCluster.StartAsync(redis);
        var onA = await cluster.ConnectAsync(cluster.A, userId: "alice");
        var onB = await cluster.ConnectAsync(cluster.B, ClientProtocol.MessagePack, "bob");
        await cluster.A.LifetimeManager.AddToGroupAsync(onB.ConnectionId, "room").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(onA.ConnectionId, "other room").WaitAsync(Timeout);
        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("group")).WaitAsync(Timeout);
        await onB.ExpectMessageAsync("group");
        var result = await cluster.A.LifetimeManager
            .InvokeConnectionAsync<int>(onB.ConnectionId, TestClient.AddOneMethod, [1], CancellationToken.None)
            .WaitAsync(Timeout);
        result.Should().Be(2);

        // StackExchange.Redis subscribes every multiplexer to its configuration-change channel unless the app sets
        // ConfigurationOptions.ConfigurationChannel to empty; that channel belongs to the client library, not to WsHub.
        var channels = (await redis.GetChannelsAsync("*")).Where(channel => channel != "__Booksleeve_MasterChanged").ToList();
        var keys = await redis.GetKeysAsync("*");
        var patterns = (long)await redis.ExecuteAsync("PUBSUB", "NUMPAT");

        channels.Should().NotBeEmpty();
        channels.Should().OnlyContain(channel => channel.StartsWith(cluster.ChannelPrefix + ":", StringComparison.Ordinal));
        keys.Should().OnlyContain(key => key.StartsWith(cluster.ChannelPrefix + ":", StringComparison.Ordinal));
        patterns.Should().Be(0, "pattern subscriptions cost Redis a match for every publish");
    }

    [Fact]
    public async Task StartAsync_NoRedisEndpoint_FailsNamingTheSetting()
    {
        var options = new BackplaneServerOptions { RedisConfiguration = null };

        var start = () => BackplaneServer.StartAsync(options);

        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("WsHubOptions.Configuration");
    }

    [Fact]
    public async Task UseRegisteredMultiplexer_AppStops_MultiplexerStaysOpenAndWasUsed()
    {
        var prefix = TestPrefix.Create();
        var clientName = "registered-" + prefix;
        var configuration = ConfigurationOptions.Parse(fixture.Redis.ConnectionString);
        configuration.ClientName = clientName;
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(Timeout);
        var registered = await BackplaneServer.StartAsync(new BackplaneServerOptions
        {
            RedisConfiguration = null,
            ChannelPrefix = prefix,
            ConfigureServices = services => services.AddSingleton<IConnectionMultiplexer>(multiplexer),
            ConfigureBackplane = backplane => backplane.UseRegisteredMultiplexer = true,
        });
        await using var other = await BackplaneServer.StartAsync(new BackplaneServerOptions
        {
            RedisConfiguration = fixture.Redis.ConnectionString,
            ChannelPrefix = prefix,
        });

        try
        {
            var onRegistered = await registered.ConnectAsync();
            await using var _ = onRegistered;
            await other.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("via registered")).WaitAsync(Timeout);
            await onRegistered.ExpectMessageAsync("via registered");

            var clientList = (string)(await fixture.Redis.ExecuteAsync("CLIENT", "LIST"))!;
            clientList.Split('\n')
                .Where(line => line.Contains("name=" + clientName + " ", StringComparison.Ordinal))
                .Should().Contain(line => !line.Contains(" sub=0 ", StringComparison.Ordinal),
                    "the backplane must subscribe through the registered multiplexer");
        }
        finally
        {
            await registered.DisposeAsync();
        }

        multiplexer.IsConnected.Should().BeTrue("the app did not create the multiplexer, so it must not dispose it");
        var ping = await multiplexer.GetDatabase().PingAsync().WaitAsync(Timeout);
        ping.Should().BeLessThan(Timeout);
    }

    [Fact]
    public async Task ConnectionFactory_Set_IsUsedToConnect()
    {
        var calls = 0;
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 2, (index, options) =>
        {
            if (index == 0)
            {
                options.RedisConfiguration = null;
                options.ConfigureBackplane = backplane => backplane.ConnectionFactory = async log =>
                {
                    Interlocked.Increment(ref calls);
                    return await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString, log);
                };
            }
        });
        var onA = await cluster.ConnectAsync(cluster.A);

        await cluster.B.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args("via factory")).WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("via factory", onA);
        calls.Should().Be(1);
    }

    [Fact]
    public async Task MaxMessageSize_LargerMessage_RejectedBeforeAnyDelivery()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 2, (_, options) =>
            options.ConfigureBackplane = backplane => backplane.MaxMessageSize = 1024);
        var onA = await cluster.ConnectAsync(cluster.A);
        var onB = await cluster.ConnectAsync(cluster.B, ClientProtocol.MessagePack);
        var tooLarge = new string('m', 2048);

        var send = () => cluster.A.LifetimeManager.SendAllAsync(TestHub.MessageMethod, Delivery.Args(tooLarge)).WaitAsync(Timeout);

        await send.Should().ThrowAsync<InvalidOperationException>();
        await Delivery.ExpectNothingAsync(cluster.B.LifetimeManager, onA);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, onB);
    }
}
