using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using WsHub.SignalR.Internal;

namespace WsHub.Benchmarks.Micro;

/// <summary>
/// The serialisation side of sending one group message to many local connections, half on JSON and half on
/// MessagePack: building the message and fetching each connection's protocol bytes. Socket writes are not part of it.
/// </summary>
/// <remarks>
/// WsHub serialises once per protocol up front (<see cref="OutgoingMessage"/>), because the same bytes also go into
/// the Redis envelope. The default SignalR manager wraps the message in a <see cref="SerializedHubMessage"/> that
/// serialises lazily, on the first connection of each protocol. The baseline is that lazy path.
/// </remarks>
[MemoryDiagnoser]
public class GroupFanOutBenchmark
{
    private InvocationMessage _message = null!;
    private IHubProtocol[] _connectionProtocols = [];

    [Params(1, 100, 1000)]
    public int Connections { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _message = SampleMessages.GroupMessage(64);
        _connectionProtocols = Enumerable.Range(0, Connections)
            .Select(i => SampleMessages.Protocols[i % SampleMessages.Protocols.Count])
            .ToArray();
    }

    [Benchmark(Baseline = true)]
    public long LazySerializedHubMessage() => FanOut(new SerializedHubMessage(_message));

    [Benchmark]
    public long WsHubOutgoingMessage() => FanOut(new OutgoingMessage(SampleMessages.SerializePerProtocol(_message)).Hub);

    private long FanOut(SerializedHubMessage message)
    {
        long bytes = 0;
        foreach (var protocol in _connectionProtocols)
        {
            bytes += message.GetSerializedMessage(protocol).Length;
        }

        return bytes;
    }
}
