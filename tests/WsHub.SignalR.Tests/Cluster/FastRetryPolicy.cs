using Microsoft.AspNetCore.SignalR.Client;

namespace WsHub.SignalR.Tests.Cluster;

/// <summary>Reconnects at once, then every 100 ms, and gives up after 30 seconds.</summary>
internal sealed class FastRetryPolicy : IRetryPolicy
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(30);

    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        if (retryContext.ElapsedTime > GiveUpAfter)
        {
            return null;
        }

        return retryContext.PreviousRetryCount == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(100);
    }
}
