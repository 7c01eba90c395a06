using FluentAssertions;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// Group names are opaque strings compared ordinally: case, glob characters, separators and Unicode are literal.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class GroupNameTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    // Glob characters must not match other names, ':' must not clash with the key separator, and names that differ
    // only after normalisation or by case must stay apart.
    private static readonly string[] LiteralNames =
    [
        "a*", "ab", "a?", "a", "[ab]", "b", "x:y", "x", "x:y:z", "with space", "line\nbreak", "line", "tab\there",
        "\u00fcber", "u\u0308ber", "\u65e5\u672c\u8a9e", "emoji-\ud83d\ude00", "*", "?", "\\", "%", "{braces}",
    ];

    [Fact]
    public async Task SendGroupAsync_NamesDifferingInCase_AreSeparateGroups()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var upper = await cluster.ConnectAsync(cluster.B);
        var lower = await cluster.ConnectAsync(cluster.B);
        await cluster.B.LifetimeManager.AddToGroupAsync(upper.ConnectionId, "Room").WaitAsync(Timeout);
        await cluster.A.LifetimeManager.AddToGroupAsync(lower.ConnectionId, "room").WaitAsync(Timeout);

        await cluster.A.LifetimeManager.SendGroupAsync("Room", TestHub.MessageMethod, Delivery.Args("Room")).WaitAsync(Timeout);
        await cluster.A.LifetimeManager.SendGroupAsync("room", TestHub.MessageMethod, Delivery.Args("room")).WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("Room", upper);
        await Delivery.ExpectEachOnceAsync("room", lower);
    }

    [Theory]
    [InlineData(ClientProtocol.Json)]
    [InlineData(ClientProtocol.MessagePack)]
    public async Task SendGroupAsync_SpecialCharacterNames_DeliverOnlyToExactName(ClientProtocol protocol)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var members = new Dictionary<string, TestClient>(StringComparer.Ordinal);
        foreach (var name in LiteralNames)
        {
            var client = await cluster.ConnectAsync(cluster.B, protocol);
            await cluster.B.LifetimeManager.AddToGroupAsync(client.ConnectionId, name).WaitAsync(Timeout);
            members.Add(name, client);
        }

        foreach (var name in LiteralNames)
        {
            await cluster.A.LifetimeManager.SendGroupAsync(name, TestHub.MessageMethod, Delivery.Args("to " + name)).WaitAsync(Timeout);
        }

        foreach (var (name, client) in members)
        {
            var message = await client.ReadAsync();
            message.Text.Should().Be("to " + name, "the member of group '{0}' must receive only that group's message", name);
        }

        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, [.. members.Values]);
    }

    [Fact]
    public async Task SendGroupsAsync_SpecialCharacterNames_DeliverOnlyToListedNames()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var globMember = await cluster.ConnectAsync(cluster.B);
        var plainMember = await cluster.ConnectAsync(cluster.B);
        await cluster.B.LifetimeManager.AddToGroupAsync(globMember.ConnectionId, "a*").WaitAsync(Timeout);
        await cluster.B.LifetimeManager.AddToGroupAsync(plainMember.ConnectionId, "abc").WaitAsync(Timeout);

        await cluster.A.LifetimeManager.SendGroupsAsync(["ab", "a?c", "a[b]c"], TestHub.MessageMethod, Delivery.Args("globs"))
            .WaitAsync(Timeout);

        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, globMember, plainMember);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task GroupMembers_NullOrEmptyGroupName_ThrowArgumentException(string? groupName)
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 1);
        var client = await cluster.ConnectAsync(cluster.A);
        var manager = cluster.A.LifetimeManager;
        var args = Delivery.Args("x");

        await FluentActions.Awaiting(() => manager.AddToGroupAsync(client.ConnectionId, groupName!))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("groupName");
        await FluentActions.Awaiting(() => manager.RemoveFromGroupAsync(client.ConnectionId, groupName!))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("groupName");
        await FluentActions.Awaiting(() => manager.SendGroupAsync(groupName!, TestHub.MessageMethod, args))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("groupName");
        await FluentActions.Awaiting(() => manager.SendGroupExceptAsync(groupName!, TestHub.MessageMethod, args, []))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("groupName");
        await FluentActions.Awaiting(() => manager.SendGroupsAsync([groupName!], TestHub.MessageMethod, args))
            .Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task GroupMembers_NameLongerThanMaxNameLength_ThrowArgumentException()
    {
        const int maxNameLength = 32;
        await using var cluster = await TestCluster.StartAsync(
            fixture.Redis,
            serverCount: 2,
            (_, options) => options.ConfigureBackplane = backplane => backplane.MaxNameLength = maxNameLength);
        var client = await cluster.ConnectAsync(cluster.B);
        var manager = cluster.A.LifetimeManager;
        var tooLong = new string('g', maxNameLength + 1);
        var longest = new string('g', maxNameLength);
        var args = Delivery.Args("x");

        await FluentActions.Awaiting(() => manager.AddToGroupAsync(client.ConnectionId, tooLong))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.RemoveFromGroupAsync(client.ConnectionId, tooLong))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.SendGroupAsync(tooLong, TestHub.MessageMethod, args))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.SendGroupsAsync([tooLong], TestHub.MessageMethod, args))
            .Should().ThrowAsync<ArgumentException>();

        await manager.AddToGroupAsync(client.ConnectionId, longest).WaitAsync(Timeout);
        await manager.SendGroupAsync(longest, TestHub.MessageMethod, Delivery.Args("longest")).WaitAsync(Timeout);
        await Delivery.ExpectEachOnceAsync("longest", client);
    }

    [Fact]
    public async Task SendUserAsync_GlobCharacterUserIds_DeliverOnlyToExactUser()
    {
        await using var cluster = await TestCluster.StartAsync(fixture.Redis);
        var globUser = await cluster.ConnectAsync(cluster.B, userId: "a*");
        var plainUser = await cluster.ConnectAsync(cluster.B, userId: "ab");
        var separatorUser = await cluster.ConnectAsync(cluster.B, userId: "x:y");

        await cluster.A.LifetimeManager.SendUserAsync("a*", TestHub.MessageMethod, Delivery.Args("glob")).WaitAsync(Timeout);
        await cluster.A.LifetimeManager.SendUserAsync("x:y", TestHub.MessageMethod, Delivery.Args("separator")).WaitAsync(Timeout);
        await cluster.A.LifetimeManager.SendUsersAsync(["a?", "x"], TestHub.MessageMethod, Delivery.Args("none")).WaitAsync(Timeout);

        await Delivery.ExpectEachOnceAsync("glob", globUser);
        await Delivery.ExpectEachOnceAsync("separator", separatorUser);
        await Delivery.ExpectNothingAsync(cluster.A.LifetimeManager, plainUser);
    }

    [Fact]
    public async Task SendMembers_IdsLongerThanMaxNameLength_ThrowArgumentException()
    {
        const int maxNameLength = 32;
        await using var cluster = await TestCluster.StartAsync(
            fixture.Redis,
            serverCount: 1,
            (_, options) => options.ConfigureBackplane = backplane => backplane.MaxNameLength = maxNameLength);
        var manager = cluster.A.LifetimeManager;
        var tooLong = new string('i', maxNameLength + 1);
        var args = Delivery.Args("x");

        await FluentActions.Awaiting(() => manager.SendConnectionAsync(tooLong, TestHub.MessageMethod, args))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.SendConnectionsAsync([tooLong], TestHub.MessageMethod, args))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.SendUserAsync(tooLong, TestHub.MessageMethod, args))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.SendUsersAsync([tooLong], TestHub.MessageMethod, args))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.InvokeConnectionAsync<int>(tooLong, TestClient.AddOneMethod, [1], default))
            .Should().ThrowAsync<ArgumentException>();
    }
}
