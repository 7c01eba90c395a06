using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// Steps on the SampleChat page that several browser tests share. Every step waits at most <see cref="StepTimeoutMs"/>.
/// </summary>
internal static class ChatPageSteps
{
    /// <summary>The maximum time of one step, in milliseconds.</summary>
    public const float StepTimeoutMs = 15_000;

    /// <summary>Opens the page in a context, connects as a user and waits for the connected state.</summary>
    /// <param name="context">The browser context.</param>
    /// <param name="baseAddress">The address of an instance or of the gateway.</param>
    /// <param name="user">The user name.</param>
    /// <returns>The page.</returns>
    public static async Task<IPage> OpenChatAsync(IBrowserContext context, Uri baseAddress, string user)
    {
        var page = await context.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await page.GotoAsync(baseAddress.ToString()).WaitAsync(TimeSpan.FromSeconds(20));
        await page.GetByTestId("user-name").FillAsync(user);
        await page.GetByTestId("connect").ClickAsync();
        await Expect(page.GetByTestId("connection-state")).ToHaveTextAsync("Connected", TextOptions());
        return page;
    }

    /// <summary>Joins a room and waits until the page shows it as the current room.</summary>
    /// <param name="page">The page.</param>
    /// <param name="room">The room name.</param>
    /// <returns>A task that completes when the page shows the room.</returns>
    public static async Task JoinRoomAsync(IPage page, string room)
    {
        await page.GetByTestId("room-name").FillAsync(room);
        await page.GetByTestId("join-room").ClickAsync();
        await Expect(page.GetByTestId("current-room")).ToHaveTextAsync(room, TextOptions());
    }

    /// <summary>Sends a room message from a page.</summary>
    /// <param name="page">The page.</param>
    /// <param name="text">The message text.</param>
    /// <returns>A task that completes when the send button was clicked.</returns>
    public static async Task SendToRoomAsync(IPage page, string text)
    {
        await page.GetByTestId("message-text").FillAsync(text);
        await page.GetByTestId("send-room").ClickAsync();
    }

    /// <summary>Waits until a page shows exactly one message of a kind, sender and text.</summary>
    /// <param name="page">The page.</param>
    /// <param name="kind">The message kind: room, direct or all.</param>
    /// <param name="sender">The sender's user name.</param>
    /// <param name="text">The message text.</param>
    /// <returns>A task that completes when the message is shown.</returns>
    public static async Task ExpectMessageAsync(IPage page, string kind, string sender, string text)
    {
        var message = page.Locator($"#messages li[data-kind='{kind}'][data-from='{sender}']")
            .Filter(new LocatorFilterOptions { Has = page.GetByTestId("message-body").GetByText(text, new() { Exact = true }) });
        await Expect(message).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = StepTimeoutMs });
    }

    /// <summary>
    /// Waits until a page shows exactly these room messages of a sender, each once and in this order.
    /// </summary>
    /// <param name="page">The page.</param>
    /// <param name="sender">The sender's user name.</param>
    /// <param name="texts">The expected message texts, oldest first.</param>
    /// <param name="timeoutMs">The maximum wait, in milliseconds.</param>
    /// <returns>A task that completes when the messages match.</returns>
    public static async Task ExpectRoomMessagesAsync(
        IPage page,
        string sender,
        IEnumerable<string> texts,
        float timeoutMs = StepTimeoutMs)
    {
        await Expect(RoomMessageBodies(page, sender)).ToHaveTextAsync(
            texts,
            new LocatorAssertionsToHaveTextOptions { Timeout = timeoutMs });
    }

    /// <summary>Returns the bodies of the room messages of a sender that a page shows, in page order.</summary>
    /// <param name="page">The page.</param>
    /// <param name="sender">The sender's user name.</param>
    /// <param name="earlierOnly">
    /// True to return only the messages shown as earlier messages, which the page loaded from the history.
    /// </param>
    /// <returns>The locator.</returns>
    public static ILocator RoomMessageBodies(IPage page, string sender, bool earlierOnly = false)
    {
        var earlier = earlierOnly ? "[data-earlier='true']" : string.Empty;
        return page.Locator($"#messages li[data-kind='room'][data-from='{sender}']{earlier} [data-testid='message-body']");
    }

    /// <summary>Waits until the online list of a page shows exactly these users, in this order.</summary>
    /// <param name="page">The page.</param>
    /// <param name="users">The expected user names, sorted by ordinal comparison as the server sorts them.</param>
    /// <returns>A task that completes when the list matches.</returns>
    public static async Task ExpectOnlineAsync(IPage page, params string[] users)
    {
        await Expect(page.GetByTestId("online-user")).ToHaveTextAsync(
            users,
            new LocatorAssertionsToHaveTextOptions { Timeout = StepTimeoutMs });
    }

    /// <summary>Returns assertion options with the step timeout.</summary>
    /// <returns>The options.</returns>
    public static LocatorAssertionsToHaveTextOptions TextOptions() => new() { Timeout = StepTimeoutMs };
}
