namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Receives every group message that reaches a member, on the client's receive thread.
/// </summary>
internal interface IDeliverySink
{
    void OnDelivery(int receiver, long sentTimestamp, long sequence);
}
