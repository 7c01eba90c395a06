using FluentAssertions;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR.Tests.Unit;

public class RedisNamesTests
{
    private readonly RedisNames _names = new("app", "Chat.Hub");

    [Fact]
    public void Group_GlobCharacters_StayLiteral()
    {
        var channel = _names.Group("a*?[b]");

        channel.IsPattern.Should().BeFalse();
        channel.ToString().Should().Be("app:Chat.Hub:group:a*?[b]");
    }

    [Fact]
    public void Group_NamesDifferingInCase_GetDifferentChannels()
    {
        _names.Group("Room").Should().NotBe(_names.Group("room"));
    }

    [Fact]
    public void Names_OfDifferentKinds_NeverCollide()
    {
        // A group named like another kind's suffix still lands under the group word.
        var names = new[]
        {
            _names.Group("all").ToString(),
            _names.Group("instance:x").ToString(),
            _names.All.ToString(),
            _names.Instance("x").ToString(),
        };

        names.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Prefixes_KeepAppsApart()
    {
        var other = new RedisNames("app2", "Chat.Hub");

        other.Group("g").ToString().Should().NotBe(_names.Group("g").ToString());
        ((string)other.Connections!).Should().NotBe((string)_names.Connections!);
    }
}
