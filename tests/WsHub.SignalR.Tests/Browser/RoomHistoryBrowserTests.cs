using FluentAssertions;
using Microsoft.Playwright;
using StackExchange.Redis;
using WsHub.SignalR.Tests.Infrastructure.Sample;
using static Microsoft.Playwright.Assertions;
using static WsHub.SignalR.Tests.Infrastructure.Sample.ChatPageSteps;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Checks that a page which joins a room shows the room's recent messages from the backplane's history, once each,
/// with one page on each instance.
/// </summary>
[Collection(SampleChatCollection.Name)]
public sealed class RoomHistoryBrowserTests(SampleChatCluster cluster) : IAsyncLifetime
{
    private const int EarlierMessageCount = 5;

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
    public async Task JoinRoom_RoomHasMessages_ShowsEarlierOnce()
    {
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var room = $"history-{_suffix}";
        var earlier = Enumerable.Range(1, EarlierMessageCount).Select(number => $"{alice} earlier {number}").ToArray();

        var pageAlice = await OpenChatAsync(await _browser!.NewContextAsync(StepTimeoutMs), cluster.UrlA, alice);
        await JoinRoomAsync(pageAlice, room);
        await Expect(pageAlice.GetByTestId("history-divider"))
            .ToHaveTextAsync($"No earlier messages in {room}", TextOptions());
        foreach (var text in earlier)
        {
            await SendToRoomAsync(pageAlice, text);
        }

        // Alice receives her own room messages through Redis, after the backplane has stored them in the history.
        await ExpectRoomMessagesAsync(pageAlice, alice, earlier);

        var pageBob = await OpenChatAsync(await _browser.NewContextAsync(StepTimeoutMs), cluster.UrlB, bob);
        await JoinRoomAsync(pageBob, room);

        await Expect(pageBob.GetByTestId("history-divider")).ToHaveTextAsync($"Earlier messages in {room}", TextOptions());
        await ExpectRoomMessagesAsync(pageBob, alice, earlier);
        await Expect(RoomMessageBodies(pageBob, alice, earlierOnly: true)).ToHaveTextAsync(earlier, TextOptions());

        var live = $"{alice} after bob joined";
        await SendToRoomAsync(pageAlice, live);
        await ExpectRoomMessagesAsync(pageBob, alice, [.. earlier, live]);
        await Expect(RoomMessageBodies(pageBob, alice, earlierOnly: true)).ToHaveTextAsync(earlier, TextOptions());
        var duplicates = await pageBob.GetByTestId("messages").GetAttributeAsync("data-duplicate-deliveries")
            .WaitAsync(TimeSpan.FromSeconds(15));
        duplicates.Should().Be("0", "the server delivers each room message to a page once");
    }

    [Fact]
    public async Task JoinRoom_SameRoomAgain_ShowsNoDuplicates()
    {
        var alice = $"alice-{_suffix}";
        var room = $"rejoin-{_suffix}";
        var texts = new[] { $"{alice} first", $"{alice} second" };

        var page = await OpenChatAsync(await _browser!.NewContextAsync(StepTimeoutMs), cluster.UrlA, alice);
        await JoinRoomAsync(page, room);
        foreach (var text in texts)
        {
            await SendToRoomAsync(page, text);
        }

        await ExpectRoomMessagesAsync(page, alice, texts);

        // Joining the room that the page already shows loads the same recent messages, which the page already has.
        await page.GetByTestId("join-room").ClickAsync();
        await Expect(page.Locator("#messages li[data-kind='notice']").GetByText($"{alice} joined {room}"))
            .ToHaveCountAsync(2, new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });
        var third = $"{alice} third";
        await SendToRoomAsync(page, third);

        await ExpectRoomMessagesAsync(page, alice, [.. texts, third]);
        await Expect(RoomMessageBodies(page, alice, earlierOnly: true)).ToHaveCountAsync(
            0,
            new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });
    }

    [Fact]
    public async Task JoinRoom_HistoryGone_ShowsMissingNotice()
    {
        var alice = $"alice-{_suffix}";
        var bob = $"bob-{_suffix}";
        var room = $"lost-{_suffix}";
        var before = new[] { $"{bob} before 1", $"{bob} before 2" };
        var lost = $"{bob} lost with the history";
        var after = $"{bob} after the history was lost";

        var pageAlice = await OpenChatAsync(await _browser!.NewContextAsync(StepTimeoutMs), cluster.UrlA, alice);
        var pageBob = await OpenChatAsync(await _browser.NewContextAsync(StepTimeoutMs), cluster.UrlB, bob);
        await JoinRoomAsync(pageAlice, room);
        await JoinRoomAsync(pageBob, room);
        foreach (var text in before)
        {
            await SendToRoomAsync(pageBob, text);
        }

        await ExpectRoomMessagesAsync(pageAlice, bob, before);

        // Alice leaves; her instance stores her position in the room's history under her tab's resume key.
        await pageAlice.GetByTestId("disconnect").ClickAsync();
        await Expect(pageAlice.GetByTestId("connection-state")).ToHaveTextAsync("Disconnected", TextOptions());
        await SendToRoomAsync(pageBob, lost);
        await ExpectRoomMessagesAsync(pageBob, bob, [.. before, lost]);

        // The room's stream disappears, as it does when it expires after HistoryMaxAge, while the position remains.
        await DeleteRoomHistoryAsync(room);
        await SendToRoomAsync(pageBob, after);
        await ExpectRoomMessagesAsync(pageBob, bob, [.. before, lost, after]);

        await pageAlice.GetByTestId("connect").ClickAsync();
        await Expect(pageAlice.GetByTestId("connection-state")).ToHaveTextAsync("Connected", TextOptions());
        await JoinRoomAsync(pageAlice, room);

        await Expect(pageAlice.GetByTestId("recovery-failed")).ToHaveCountAsync(
            1,
            new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });
        await Expect(pageAlice.GetByTestId("recovery-failed")).ToContainTextAsync(
            "Some messages may be missing",
            new LocatorAssertionsToContainTextOptions { Timeout = StepTimeoutMs });
        await ExpectRoomMessagesAsync(pageAlice, bob, [.. before, after]);
        await Expect(RoomMessageBodies(pageAlice, bob, earlierOnly: true)).ToHaveTextAsync([after], TextOptions());
    }

    private async Task DeleteRoomHistoryAsync(string room)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConfiguration)
            .WaitAsync(TimeSpan.FromSeconds(15));
        var server = redis.GetServers().Single();
        var keys = new List<RedisKey>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await foreach (var key in server.KeysAsync(pattern: $"*history:room:{room}").WithCancellation(timeout.Token))
        {
            keys.Add(key);
        }

        keys.Should().ContainSingle("the backplane keeps one history stream per room");
        (await redis.GetDatabase().KeyDeleteAsync(keys[0]).WaitAsync(TimeSpan.FromSeconds(15))).Should().BeTrue();
    }
}
