using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace WsHub.Benchmarks.Micro;

/// <summary>
/// The hub protocols and group messages that the benchmarks serialise: the JSON and MessagePack protocols that
/// SignalR servers enable, and an invocation with a timestamp, a sequence number and a byte payload.
/// </summary>
public static class SampleMessages
{
    public static IReadOnlyList<IHubProtocol> Protocols { get; } =
    [
        new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions())),
        new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions())),
    ];

    public static InvocationMessage GroupMessage(int payloadBytes)
    {
        var payload = Enumerable.Range(0, payloadBytes).Select(i => (byte)i).ToArray();
        return new InvocationMessage("m", [1234567890L, 42L, payload]);
    }

    /// <summary>Serialises the message once per protocol, as WsHub does before it sends to a group.</summary>
    public static SerializedMessage[] SerializePerProtocol(HubMessage message)
    {
        var messages = new SerializedMessage[Protocols.Count];
        for (var i = 0; i < Protocols.Count; i++)
        {
            messages[i] = new SerializedMessage(Protocols[i].Name, Protocols[i].GetMessageBytes(message));
        }

        return messages;
    }
}
