using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.SignalR;
using WsHub.SignalR.Internal;

namespace WsHub.Benchmarks.Micro;

/// <summary>
/// Encoding and decoding of the broadcast envelope that WsHub publishes to a group channel: one hub message in
/// JSON and in MessagePack.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeCodecBenchmark
{
    private const string Origin = "bench-host_0123456789abcdef0123456789abcdef";
    private SerializedMessage[] _messages = [];
    private string[] _excluded = [];
    private byte[] _envelope = [];

    [Params(64, 4096)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _messages = SampleMessages.SerializePerProtocol(SampleMessages.GroupMessage(PayloadBytes));
        _excluded = ["Xk3pQ9vL2mN8rT5wY7zA1b"];
        _envelope = EnvelopeCodec.WriteBroadcast(Origin, null, _messages);
    }

    [Benchmark]
    public byte[] Encode() => EnvelopeCodec.WriteBroadcast(Origin, null, _messages);

    [Benchmark]
    public byte[] EncodeWithExcluded() => EnvelopeCodec.WriteBroadcast(Origin, _excluded, _messages);

    /// <summary>Decodes the envelope. Returns an object because the envelope type is internal.</summary>
    [Benchmark]
    public object Decode() => EnvelopeCodec.Read(_envelope);

    /// <summary>The check an instance makes on every envelope to skip its own broadcasts.</summary>
    [Benchmark]
    public string ReadOrigin() => EnvelopeCodec.ReadOrigin(_envelope);
}
