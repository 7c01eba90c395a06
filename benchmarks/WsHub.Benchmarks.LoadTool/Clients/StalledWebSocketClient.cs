using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// A group member that completes the WebSocket and SignalR JSON handshakes, joins a group and then never reads
/// its socket again, as a client on a frozen device does. A small receive buffer makes the server's writes to it
/// back up after a few kilobytes.
/// </summary>
internal sealed class StalledWebSocketClient : IDisposable
{
    private const byte RecordSeparator = 0x1e;
    private readonly Socket _socket;

    private StalledWebSocketClient(Socket socket) => _socket = socket;

    public static async Task<StalledWebSocketClient> ConnectAndJoinAsync(Uri hubUrl, string group, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ClientFactory.OperationTimeout);
            await socket.ConnectAsync(IPAddress.Loopback, hubUrl.Port, timeout.Token);

            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET {hubUrl.AbsolutePath} HTTP/1.1\r\nHost: {hubUrl.Authority}\r\nUpgrade: websocket\r\n"
                + $"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), timeout.Token);

            var received = new List<byte>();
            await ReadUntilAsync(socket, received, "\r\n\r\n"u8.ToArray(), timeout.Token);
            var head = Encoding.ASCII.GetString(received.ToArray());
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The WebSocket upgrade failed: {head.Split('\r')[0]}");
            }

            await SendTextFrameAsync(socket, "{\"protocol\":\"json\",\"version\":1}", timeout.Token);
            await SendTextFrameAsync(
                socket,
                $"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Join\",\"arguments\":[\"{group}\"]}}",
                timeout.Token);

            // Server frames are not masked, so the completion of invocation 1 appears in the raw bytes.
            await ReadUntilAsync(socket, received, "\"invocationId\":\"1\""u8.ToArray(), timeout.Token);
            return new StalledWebSocketClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _socket.Dispose();

    private static async Task ReadUntilAsync(Socket socket, List<byte> received, byte[] marker, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (received.ToArray().AsSpan().IndexOf(marker) < 0)
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException("The server closed the connection during the handshake.");
            }

            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    private static async Task SendTextFrameAsync(Socket socket, string text, CancellationToken cancellationToken)
    {
        var payload = Encoding.UTF8.GetBytes(text + (char)RecordSeparator);
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }

        // Client frames must be masked (RFC 6455, section 5.3).
        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        for (var i = 0; i < payload.Length; i++)
        {
            frame.Add((byte)(payload[i] ^ mask[i % 4]));
        }

        await socket.SendAsync(frame.ToArray(), cancellationToken);
    }
}
