using Microsoft.Playwright;
using WsHub.SignalR.Tests.Infrastructure.Sample;
using static WsHub.SignalR.Tests.Infrastructure.Sample.ChatPageSteps;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Checks the page's list of users in the current room, with users on both instances.
/// </summary>
[Collection(SampleChatCollection.Name)]
public sealed class OnlineListBrowserTests(SampleChatCluster cluster) : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private SampleBrowser? _browser;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _browser = await SampleBrowser.LaunchAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }

    [Fact]
    public async Task OnlineList_UsersOnBothInstances_ListsAllAndFollowsChanges()
    {
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var carol = $"carol-{_suffix}";
        var room = $"online-{_suffix}";
        var context = await _browser!.NewContextAsync(StepTimeoutMs);
        var pageAlice = await OpenChatAsync(context, cluster.UrlA, alice);
        var pageBob = await OpenChatAsync(context, cluster.UrlB, bob);
        var pageCarol = await OpenChatAsync(context, cluster.UrlB, carol);

        await JoinRoomAsync(pageAlice, room);
        await ExpectOnlineAsync(pageAlice, alice);

        // Bob and carol are on instance B, so alice's list on A can only learn of them through Redis.
        await JoinRoomAsync(pageBob, room);
        await JoinRoomAsync(pageCarol, room);
        await ExpectOnlineAsync(pageAlice, alice, bob, carol);
        await ExpectOnlineAsync(pageBob, alice, bob, carol);
        await ExpectOnlineAsync(pageCarol, alice, bob, carol);

        // Leaving the room and closing the page both push a notice, on which the other pages refetch the list.
        await pageBob.GetByTestId("leave-room").ClickAsync();
        await ExpectOnlineAsync(pageAlice, alice, carol);
        await ExpectOnlineAsync(pageCarol, alice, carol);

        await pageCarol.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await ExpectOnlineAsync(pageAlice, alice);

        // A user with two connections is listed once.
        var secondAlice = await OpenChatAsync(context, cluster.UrlB, alice);
        await JoinRoomAsync(secondAlice, room);
        await ExpectOnlineAsync(secondAlice, alice);
        await ExpectOnlineAsync(pageAlice, alice);
    }

    [Fact]
    public async Task OnlineList_RoomNamedLikeUserGroup_ListsOnlyRoomMembers()
    {
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var context = await _browser!.NewContextAsync(StepTimeoutMs);
        var pageAlice = await OpenChatAsync(context, cluster.UrlA, alice);
        await OpenChatAsync(context, cluster.UrlB, bob);

        // Every connection of bob is in bob's identity group; a room with that group's name must stay separate.
        var room = $"user:{bob}";
        await JoinRoomAsync(pageAlice, room);

        await ExpectOnlineAsync(pageAlice, alice);
    }
}
