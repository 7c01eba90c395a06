using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// WsHub works against a Redis that requires a password, under an ACL user limited to the prefix's keys and
/// channels and to the commands WsHub and StackExchange.Redis send, and over TLS.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class AuthTests
{
    private const string GroupName = "room";
    private const string Password = "test-password-7f3a";
    private const string AclUser = "wshub-app";

    // StackExchange.Redis probes these on connect and carries on when they are denied: CONFIG GET and CLUSTER need
    // admin rights, and GET reads its tie-breaker key, which lies outside the prefix.
    private static readonly string[] ProbesDeniedOnConnect = ["config|get", "cluster|nodes", "cluster|slots", "get"];
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    /// <summary>
    /// The ACL rules of the WsHub user after <c>ACL SETUSER {user} on &gt;{password}</c>, with <c>{prefix}</c> for the
    /// channel prefix. Keys and channels are limited to the prefix. The commands are those that the registry scripts,
    /// the presence reads, publish and subscribe use, plus what StackExchange.Redis 3.4 sends on connect (CLIENT
    /// SETNAME and ID, INFO, ECHO, SCRIPT LOAD) and its configuration channel. Redis 7.2 and later also need
    /// <c>+client|setinfo</c>. Removing any command here adds a denial to <c>ACL LOG</c> (Redis 7.0.15). Without EVAL,
    /// EVALSHA or ECHO delivery fails, and without PUBSUB NUMSUB, which the recovery after an outage runs, delivery
    /// across servers never resumes after Redis restarts.
    /// </summary>
    public const string AclRules =
        "resetkeys resetchannels ~{prefix}:* &{prefix}:* &__Booksleeve_MasterChanged -@all "
        + "+eval +evalsha +script|load +publish +subscribe +unsubscribe +pubsub|numsub +echo +ping +info +client|setname +client|id "
        + "+time +del +pexpire +hset +hget +hmget +hdel +hgetall +hlen +sadd +srem +smembers +scard +sscan "
        + "+zadd +zrem +zscore +zrange +zrangebyscore";

    /// <summary>
    /// The commands that groups with message history add to <see cref="AclRules"/>: the history scripts append to and
    /// trim streams and keep resume positions in hashes, and the replay and <see cref="WsHubHistory{THub}"/> read streams.
    /// </summary>
    public const string HistoryAclRules = "+exists +hkeys +xadd +xrange +xrevrange +xtrim +xinfo|stream";

    [Fact]
    public async Task Send_RedisRequiresPassword_DeliversAcrossServers()
    {
        await using var redis = await RedisServer.StartAsync(Password);
        var configuration = $"{redis.ConnectionString},password={Password}";
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) => options.RedisConfiguration = configuration);

        await ExpectDeliveryAsync(cluster);
        (await redis.GetKeysAsync(cluster.ChannelPrefix + ":*")).Should().NotBeEmpty("the registry is written with the password");
    }

    [Fact]
    public async Task Send_RedisOverTls_DeliversAcrossServers()
    {
        using var certificates = TestCertificateAuthority.Create();
        var tlsPort = RedisServer.FindFreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var redis = await RedisServer.StartAsync(
            password: null,
            "--tls-port", tlsPort,
            "--tls-cert-file", certificates.ServerCertificatePath,
            "--tls-key-file", certificates.ServerKeyPath,
            "--tls-ca-cert-file", certificates.AuthorityCertificatePath,
            "--tls-auth-clients", "no");

        // Only the TLS port is configured, and it rejects a plain-text client, so delivery shows that TLS is used.
        var configuration = $"127.0.0.1:{tlsPort},ssl=true,sslHost=127.0.0.1";
        await using var cluster = await TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) =>
            {
                options.RedisConfiguration = configuration;
                options.ConfigureBackplane = backplane => backplane.Configuration.TrustIssuer(certificates.AuthorityCertificatePath);
            });

        await ExpectDeliveryAsync(cluster);
        (await redis.GetKeysAsync(cluster.ChannelPrefix + ":*")).Should().NotBeEmpty("the registry is written over TLS");
    }

    [Fact]
    public async Task Send_AclUserLimitedToPrefix_Delivers()
    {
        await using var redis = await RedisServer.StartAsync();
        var prefix = TestPrefix.Create();
        var rules = await CreateAclUserAsync(redis, prefix, AclRules);
        await using var cluster = await StartAclClusterAsync(redis, prefix, Backplane.UseFastHeartbeat);

        await ExpectDeliveryAsync(cluster);

        // Presence reads and a client result use the remaining commands.
        var presence = cluster.A.Services.GetRequiredService<WsHubPresence<TestHub>>();
        (await presence.GetGroupMemberCountAsync(GroupName).WaitAsync(Timeout)).Should().Be(2);
        (await presence.GetInstancesAsync().WaitAsync(Timeout)).Should().HaveCount(2);
        var members = await presence.GetGroupMembersAsync(GroupName).WaitAsync(Timeout);
        members.Should().NotBeNull();
        var onB = await cluster.ConnectAsync(cluster.B);
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);
        var result = await cluster.A.LifetimeManager.InvokeConnectionAsync<int>(
            onB.ConnectionId, TestClient.AddOneMethod, [41], CancellationToken.None).WaitAsync(Timeout);
        result.Should().Be(42);

        await ExpectNoDenialsAsync(redis);

        // After an outage each server checks with PUBSUB NUMSUB that the others listen again. The restarted server is
        // empty, so the user is created again; the servers reconnect about a second later at the earliest.
        await redis.RestartAsync();
        await redis.ExecuteAsync("ACL", ["SETUSER", AclUser, "reset", "on", ">" + Password, .. rules]);
        var attempt = 0;
        var received = new List<string>();
        await Poll.WaitUntilAsync(
            async () =>
            {
                var text = $"after restart {attempt++}";
                await cluster.A.LifetimeManager.SendGroupAsync(GroupName, TestHub.MessageMethod, [text]).WaitAsync(Timeout);
                received.AddRange(onB.DrainReceived().Select(message => message.Text));
                return received.Any(message => message.StartsWith("after restart", StringComparison.Ordinal));
            },
            TimeSpan.FromSeconds(20),
            "a group message crosses to server B after Redis restarted");

        // A stopped server is removed from the registry by the other, through the clean-up script.
        await cluster.B.DisposeAsync();
        await Poll.WaitUntilAsync(
            async () => (await presence.GetInstancesAsync().WaitAsync(Timeout)).Count == 1,
            Timeout,
            "server A finds that server B left");

        await ExpectNoDenialsAsync(redis);
    }

    [Fact]
    public async Task History_AclUser_ReplaysAndReads()
    {
        await using var redis = await RedisServer.StartAsync();
        var prefix = TestPrefix.Create();
        await CreateAclUserAsync(redis, prefix, AclRules + " " + HistoryAclRules);
        await using var cluster = await StartAclClusterAsync(
            redis,
            prefix,
            backplane => backplane.HistoryGroupFilter =
                static name => name.StartsWith(History.HistoryTestCluster.GroupPrefix, StringComparison.Ordinal));
        var group = History.HistoryTestCluster.NewGroup();
        var resumeKey = History.HistoryTestCluster.NewResumeKey();
        await using var first = await History.ResumableClient.ConnectAsync(cluster.A, resumeKey);
        await first.JoinAsync(group);

        // The client leaves before the group's first message, so the replay on the other server starts at the stream's
        // beginning, which also checks with XINFO STREAM that no entry was trimmed.
        await first.LoseConnectionAsync();
        for (var number = 0; number < 2; number++)
        {
            await cluster.B.LifetimeManager.SendGroupAsync(group, TestHub.MessageMethod, History.HistoryTestCluster.Args(number)).WaitAsync(Timeout);
        }

        await using var second = await History.ResumableClient.ConnectAsync(cluster.B, resumeKey);
        await second.JoinAsync(group);
        (await second.ReadNumberAsync()).Should().Be(0);
        (await second.ReadNumberAsync()).Should().Be(1);
        second.RecoveryFailures.Should().BeEmpty();

        var history = cluster.A.Services.GetRequiredService<WsHubHistory<TestHub>>();
        var latest = await history.ReadLatestAsync(group, 10).WaitAsync(Timeout);
        latest.Should().HaveCount(2);
        var after = await history.ReadAfterAsync(group, latest[0].Offset, 10).WaitAsync(Timeout);
        after.Select(entry => entry.Offset).Should().Equal(latest[1].Offset);

        await ExpectNoDenialsAsync(redis);
    }

    /// <summary>Starts two servers that connect as the ACL user, with the prefix its rules allow.</summary>
    private static Task<TestCluster> StartAclClusterAsync(RedisServer redis, string prefix, Action<WsHubOptions> configureBackplane)
    {
        var configuration = $"{redis.ConnectionString},user={AclUser},password={Password}";
        return TestCluster.StartAsync(
            redis,
            serverCount: 2,
            (_, options) =>
            {
                options.RedisConfiguration = configuration;
                options.ChannelPrefix = prefix;
                options.ConfigureBackplane = configureBackplane;
            });
    }

    /// <summary>Creates the ACL user with the rules for the prefix, and returns the rules as ACL SETUSER arguments.</summary>
    private static async Task<List<string>> CreateAclUserAsync(RedisServer redis, string prefix, string ruleTemplate)
    {
        var rules = ruleTemplate.Replace("{prefix}", prefix, StringComparison.Ordinal).Split(' ').ToList();
        if (await SupportsClientSetInfoAsync(redis))
        {
            // Redis 7.2 added CLIENT SETINFO, which StackExchange.Redis sends on connect.
            rules.Add("+client|setinfo");
        }

        await redis.ExecuteAsync("ACL", ["SETUSER", AclUser, "reset", "on", ">" + Password, .. rules]);
        return rules;
    }

    private static async Task ExpectNoDenialsAsync(RedisServer redis)
    {
        var log = (RedisResult[])(await redis.ExecuteAsync("ACL", "LOG"))!;
        var denials = log.Where(entry => !ProbesDeniedOnConnect.Contains(DeniedObject(entry))).ToArray();
        denials.Should().BeEmpty("the ACL rules '{0}' allow every command WsHub sends; ACL LOG: {1}", AclRules, Describe(denials));
    }

    private static async Task ExpectDeliveryAsync(TestCluster cluster)
    {
        var onA = await cluster.ConnectAsync(cluster.A, userId: "alice");
        var onB = await cluster.ConnectAsync(cluster.B, userId: "bob");
        await cluster.A.LifetimeManager.AddToGroupAsync(onA.ConnectionId, GroupName).WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);
        var sender = cluster.A.LifetimeManager;

        await sender.SendGroupAsync(GroupName, TestHub.MessageMethod, ["group"]).WaitAsync(Timeout);
        await Integration.Delivery.ExpectEachOnceAsync("group", onA, onB);
        await sender.SendUserAsync("bob", TestHub.MessageMethod, ["user"]).WaitAsync(Timeout);
        await Integration.Delivery.ExpectEachOnceAsync("user", onB);
        await sender.SendConnectionAsync(onB.ConnectionId, TestHub.MessageMethod, ["connection"]).WaitAsync(Timeout);
        await Integration.Delivery.ExpectEachOnceAsync("connection", onB);
        await sender.SendAllAsync(TestHub.MessageMethod, ["all"]).WaitAsync(Timeout);
        await Integration.Delivery.ExpectEachOnceAsync("all", onA, onB);

        // A group change for a connection on the other server goes through its instance channel.
        await sender.RemoveFromGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);
        await sender.AddToGroupAsync(onB.ConnectionId, GroupName).WaitAsync(Timeout);
    }

    private static async Task<bool> SupportsClientSetInfoAsync(RedisServer redis)
    {
        var info = (string?)await redis.ExecuteAsync("INFO", "server") ?? string.Empty;
        var line = info.Split('\n').First(line => line.StartsWith("redis_version:", StringComparison.Ordinal));
        var version = Version.Parse(line["redis_version:".Length..].Trim());
        return version >= new Version(7, 2);
    }

    private static string DeniedObject(RedisResult entry)
    {
        var fields = ((RedisResult[])entry!).Select(field => field.ToString()).ToList();
        return fields[fields.IndexOf("object") + 1];
    }

    private static string Describe(RedisResult[] entries) =>
        string.Join(" | ", entries.Select(entry => string.Join(" ", ((RedisResult[])entry!).Select(field => field.ToString()))));
}
