using Microsoft.Playwright;

namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// Two chat pages in one room, served through the gateway by different instances.
/// </summary>
/// <param name="Alice">Alice's user name.</param>
/// <param name="Bob">Bob's user name.</param>
/// <param name="PageAlice">Alice's page, on <paramref name="Stopped"/>.</param>
/// <param name="PageBob">Bob's page, on <paramref name="Survivor"/>.</param>
/// <param name="Stopped">The instance that serves alice, which the test stops.</param>
/// <param name="Survivor">The other instance.</param>
internal sealed record GatewayPagePair(
    string Alice,
    string Bob,
    IPage PageAlice,
    IPage PageBob,
    SampleChatFactory Stopped,
    SampleChatFactory Survivor);
