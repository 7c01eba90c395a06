using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// Two apps with different channel prefixes on one Redis never see each other's messages, channels or registry
/// keys, however the connection is configured.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class IsolationTests
{
    private const string GroupName = "room";
    private const string UserId = "alice";
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    // StackExchange.Redis subscribes to this channel to hear about primary changes; it is not WsHub's.
    private const string ConfigurationChannel = "__Booksleeve_MasterChanged";

    /// <summary>How an app connects to Redis.</summary>
    public enum ConnectionMode
    {
        /// <summary>A StackExchange.Redis configuration string.</summary>
        ConfigurationString,

        /// <summary><see cref="WsHubOptions.Configuration"/> set to a <see cref="ConfigurationOptions"/>.</summary>
        ConfigurationOptions,

        /// <summary><see cref="WsHubOptions.ConnectionFactory"/>.</summary>
        ConnectionFactory,

        /// <summary>One <see cref="IConnectionMultiplexer"/> that both apps register and share.</summary>
        RegisteredMultiplexer,
    }

    [Theory]
    [InlineData(ConnectionMode.ConfigurationString)]
    [InlineData(ConnectionMode.ConfigurationOptions)]
    [InlineData(ConnectionMode.ConnectionFactory)]
    [InlineData(ConnectionMode.RegisteredMultiplexer)]
    public async Task Send_TwoPrefixesOnOneRedis_NeitherSeesTheOther(ConnectionMode mode)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var shared = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString).WaitAsync(Timeout);
        await using var firstApp = await StartAppAsync(redis, shared, mode, "first-app");
        await using var secondApp = await StartAppAsync(redis, shared, mode, "second-app");
        await using var firstClient = await firstApp.ConnectAsync(userId: UserId);
        await using var secondClient = await secondApp.ConnectAsync(userId: UserId);
        await firstApp.LifetimeManager.AddToGroupAsync(firstClient.ConnectionId, GroupName).WaitAsync(Timeout);
        await secondApp.LifetimeManager.AddToGroupAsync(secondClient.ConnectionId, GroupName).WaitAsync(Timeout);

        // The same group and user names in both apps; each send reaches only its own app's client.
        var sender = firstApp.LifetimeManager;
        await sender.SendAllAsync(TestHub.MessageMethod, ["all"]).WaitAsync(Timeout);
        await sender.SendGroupAsync(GroupName, TestHub.MessageMethod, ["group"]).WaitAsync(Timeout);
        await sender.SendUserAsync(UserId, TestHub.MessageMethod, ["user"]).WaitAsync(Timeout);
        await sender.SendConnectionAsync(secondClient.ConnectionId, TestHub.MessageMethod, ["other app's connection"])
            .WaitAsync(Timeout);
        await firstClient.ExpectMessageAsync("all");
        await firstClient.ExpectMessageAsync("group");
        await firstClient.ExpectMessageAsync("user");
        await Integration.Delivery.ExpectNothingAsync(secondApp.LifetimeManager, secondClient);

        // Every key and channel belongs to one of the two prefixes, and each app wrote its own.
        var keys = await redis.GetKeysAsync("*");
        keys.Should().OnlyContain(
            key => key.StartsWith("first-app:", StringComparison.Ordinal) || key.StartsWith("second-app:", StringComparison.Ordinal),
            "WsHub writes only keys under its prefix ({0})",
            mode);
        keys.Should().Contain(key => key.StartsWith("first-app:", StringComparison.Ordinal));
        keys.Should().Contain(key => key.StartsWith("second-app:", StringComparison.Ordinal));
        keys.Where(key => key.StartsWith("first-app:", StringComparison.Ordinal)).Should().NotContain(
            key => key.Contains(secondClient.ConnectionId, StringComparison.Ordinal),
            "the first app's registry never lists the second app's connection");
        var channels = await redis.GetChannelsAsync("*");
        channels.Where(channel => channel != ConfigurationChannel).Should().OnlyContain(
            channel => channel.StartsWith("first-app:", StringComparison.Ordinal) || channel.StartsWith("second-app:", StringComparison.Ordinal),
            "WsHub subscribes only to channels under its prefix ({0})",
            mode);
    }

    private static Task<BackplaneServer> StartAppAsync(
        RedisServer redis,
        IConnectionMultiplexer shared,
        ConnectionMode mode,
        string prefix)
    {
        var options = new BackplaneServerOptions { ChannelPrefix = prefix };
        switch (mode)
        {
            case ConnectionMode.ConfigurationString:
                options.RedisConfiguration = redis.ConnectionString;
                break;
            case ConnectionMode.ConfigurationOptions:
                options.ConfigureBackplane = backplane => backplane.Configuration = ConfigurationOptions.Parse(redis.ConnectionString);
                break;
            case ConnectionMode.ConnectionFactory:
                options.ConfigureBackplane = backplane => backplane.ConnectionFactory = async log =>
                    await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString, log);
                break;
            default:
                options.ConfigureServices = services => services.AddSingleton<IConnectionMultiplexer>(shared);
                options.ConfigureBackplane = backplane => backplane.UseRegisteredMultiplexer = true;
                break;
        }

        return BackplaneServer.StartAsync(options);
    }
}
