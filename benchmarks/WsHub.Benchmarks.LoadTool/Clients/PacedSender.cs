using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Sends group messages at a fixed rate. Every millisecond it sends the messages that are due by then. Each message
/// carries the time it was due, not the time the send call started, so that a sender held up by the server does not
/// hide the delay from the latency figures (coordinated omission).
/// </summary>
internal static class PacedSender
{
    private const int MaxOutstandingInvocations = 4096;

    /// <summary>
    /// Sends <c>rate * duration</c> messages with sequence numbers from <paramref name="firstSequence"/> on.
    /// With <paramref name="invoke"/> each message is an InvokeAsync call that is not awaited at once, so that a
    /// failing hub call is counted. Otherwise each is a fire-and-forget SendAsync.
    /// </summary>
    public static async Task<SendResult> RunAsync(
        HubConnection connection,
        Func<long, string> groupOf,
        int rate,
        TimeSpan duration,
        byte[] payload,
        long firstSequence,
        bool invoke,
        CancellationToken cancellationToken)
    {
        var total = (long)(rate * duration.TotalSeconds);
        var outstanding = new Queue<Task>();
        long sent = 0;
        long failed = 0;
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        var start = Stopwatch.GetTimestamp();

        // Bounded by the message count, and in time by a deadline that also ends a send blocked by the server.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(duration * 2 + TimeSpan.FromSeconds(5));
        try
        {
            while (sent < total)
            {
                var dueCount = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
                for (; sent < dueCount; sent++)
                {
                    var sequence = firstSequence + sent;
                    var due = start + (long)(sent * (double)Stopwatch.Frequency / rate);
                    var arguments = new object[] { groupOf(sequence), due, sequence, payload };
                    if (invoke)
                    {
                        outstanding.Enqueue(connection.InvokeCoreAsync("Publish", arguments, CancellationToken.None));
                        while (outstanding.Count > MaxOutstandingInvocations || (outstanding.Count > 0 && outstanding.Peek().IsCompleted))
                        {
                            failed += await ObserveAsync(outstanding.Dequeue());
                        }
                    }
                    else
                    {
                        try
                        {
                            await connection.SendCoreAsync("Publish", arguments, deadline.Token);
                        }
                        catch (Exception exception) when (exception is not OperationCanceledException)
                        {
                            failed++;
                        }
                    }
                }

                await timer.WaitForNextTickAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline passed: the messages not sent by then are not counted as attempted.
        }

        while (outstanding.Count > 0)
        {
            failed += await ObserveAsync(outstanding.Dequeue());
        }

        return new SendResult(sent, failed);
    }

    private static async Task<int> ObserveAsync(Task invocation)
    {
        try
        {
            await invocation.WaitAsync(ClientFactory.OperationTimeout);
            return 0;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || exception is TaskCanceledException)
        {
            return 1;
        }
    }
}
