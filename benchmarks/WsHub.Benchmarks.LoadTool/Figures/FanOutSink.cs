using WsHub.Benchmarks.LoadTool.Clients;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Passes each delivery to two sinks.
/// </summary>
internal sealed class FanOutSink(IDeliverySink first, IDeliverySink second) : IDeliverySink
{
    public void OnDelivery(int receiver, long sentTimestamp, long sequence)
    {
        first.OnDelivery(receiver, sentTimestamp, sequence);
        second.OnDelivery(receiver, sentTimestamp, sequence);
    }
}
