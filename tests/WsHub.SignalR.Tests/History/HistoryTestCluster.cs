using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// Starts test clusters whose groups named <c>history-*</c> keep history.
/// </summary>
internal static class HistoryTestCluster
{
    public const string GroupPrefix = "history-";

    public static Task<TestCluster> StartAsync(RedisServer redis, Action<WsHubOptions>? configure = null, int serverCount = 2)
    {
        return TestCluster.StartAsync(redis, serverCount, (_, options) => options.ConfigureBackplane = backplane =>
        {
            backplane.HistoryGroupFilter = static name => name.StartsWith(GroupPrefix, StringComparison.Ordinal);
            configure?.Invoke(backplane);
        });
    }

    public static string NewGroup() => GroupPrefix + Guid.NewGuid().ToString("N")[..8];

    public static string NewResumeKey() => Guid.NewGuid().ToString("N");

    /// <summary>The Redis key of a group's stream, for a cluster's channel prefix and <see cref="TestHub"/>.</summary>
    public static string StreamKey(TestCluster cluster, string groupName) =>
        cluster.ChannelPrefix + ":" + typeof(TestHub).FullName + ":history:" + groupName;

    /// <summary>The Redis key of a resume key's positions.</summary>
    public static string ResumeKey(TestCluster cluster, string resumeKey) =>
        cluster.ChannelPrefix + ":" + typeof(TestHub).FullName + ":resume:" + resumeKey;

    public static object?[] Args(int number) => [number.ToString(System.Globalization.CultureInfo.InvariantCulture)];
}
