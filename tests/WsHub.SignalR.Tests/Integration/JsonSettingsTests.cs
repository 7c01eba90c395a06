using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Integration;

/// <summary>
/// A message is serialised with the JSON settings of the server that sends it, wherever the receiving client is.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class JsonSettingsTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task SendAllAsync_ServersWithDifferentNaming_ClientsSeeSenderNaming()
    {
        // Server A keeps .NET property names; server B uses the SignalR default, camelCase.
        await using var cluster = await TestCluster.StartAsync(fixture.Redis, serverCount: 2, (index, options) =>
        {
            if (index == 0)
            {
                options.ConfigureSignalR = signalr =>
                    signalr.AddJsonProtocol(json => json.PayloadSerializerOptions.PropertyNamingPolicy = null);
            }
        });
        var onA = await cluster.ConnectAsync(cluster.A);
        var onB = await cluster.ConnectAsync(cluster.B);
        var payload = new { FirstName = "Ada", BirthYear = 1815 };

        await cluster.A.LifetimeManager.SendAllAsync(TestClient.PayloadMethod, [payload]).WaitAsync(Timeout);
        var fromAOnA = await onA.ReadAsync();
        var fromAOnB = await onB.ReadAsync();

        await cluster.B.LifetimeManager.SendConnectionAsync(onA.ConnectionId, TestClient.PayloadMethod, [payload]).WaitAsync(Timeout);
        var fromBOnA = await onA.ReadAsync();

        PropertyNames(fromAOnA).Should().Equal("FirstName", "BirthYear");
        PropertyNames(fromAOnB).Should().Equal(["FirstName", "BirthYear"], "server A serialised the message with its own settings");
        PropertyNames(fromBOnA).Should().Equal(["firstName", "birthYear"], "server B serialised the message with camelCase");
    }

    private static string[] PropertyNames(ReceivedMessage message)
    {
        message.Method.Should().Be(TestClient.PayloadMethod);
        using var document = JsonDocument.Parse(message.Text);
        return [.. document.RootElement.EnumerateObject().Select(property => property.Name)];
    }
}
