using System.Net;
using System.Net.Sockets;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of one endpoint that can be frozen. A frozen proxy keeps every socket open but
/// forwards no more bytes, so the app behind it looks hung to Redis and to the other apps, as after a crash or a
/// network partition.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _frozen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<TcpClient> _sockets = [];
    private readonly Task _acceptLoop;
    private bool _disposed;

    /// <summary>
    /// Starts a proxy that forwards to <paramref name="target"/>.
    /// </summary>
    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The configuration string of the proxy endpoint, such as <c>127.0.0.1:40001</c>.</summary>
    public string ConnectionString => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// Stops forwarding in both directions without closing any socket.
    /// </summary>
    public void Freeze() => _frozen.TrySetResult();

    /// <summary>
    /// Closes the listener and every socket. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _acceptLoop.WaitAsync(TestTimeouts.Default);
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ForwardAsync(inbound);
        }
    }

    private async Task ForwardAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        lock (_sockets)
        {
            _sockets.Add(inbound);
            _sockets.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(_target, _stopping.Token);
            var inboundStream = inbound.GetStream();
            var outboundStream = outbound.GetStream();
            await Task.WhenAll(PumpAsync(inboundStream, outboundStream), PumpAsync(outboundStream, inboundStream));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // A closed or frozen link ends the forwarding; the sockets are closed on disposal.
        }
    }

    private async Task PumpAsync(NetworkStream source, NetworkStream destination)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await source.ReadAsync(buffer, _stopping.Token);
            if (read == 0)
            {
                return;
            }

            if (_frozen.Task.IsCompleted)
            {
                // Frozen: hold the bytes and wait for disposal, which cancels the token.
                await Task.Delay(Timeout.Infinite, _stopping.Token);
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
        }
    }
}
