using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// A SignalR client on a raw WebSocket that completes the JSON hub handshake and then never reads again, so the
/// server's writes to it pile up. Its socket has a small receive buffer, so the kernel absorbs little of them.
/// </summary>
public sealed class StalledWebSocketClient : IAsyncDisposable
{
    private const int ReceiveBufferSize = 4096;
    private const byte RecordSeparator = 0x1e;

    private readonly Socket _socket;

    private StalledWebSocketClient(Socket socket, string connectionId)
    {
        _socket = socket;
        ConnectionId = connectionId;
    }

    /// <summary>
    /// The connection id that the server assigned, which a test can add to a group.
    /// </summary>
    public string ConnectionId { get; }

    /// <summary>
    /// Negotiates a connection, upgrades it to a WebSocket, completes the JSON hub handshake and stops reading.
    /// </summary>
    /// <param name="hubUrl">The absolute <c>http://</c> hub URL.</param>
    public static async Task<StalledWebSocketClient> ConnectAsync(Uri hubUrl)
    {
        ArgumentNullException.ThrowIfNull(hubUrl);

        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        var (connectionId, connectionToken) = await NegotiateAsync(hubUrl, timeout.Token);

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            // Set before connecting, so the TCP window that the server gets stays small.
            ReceiveBufferSize = ReceiveBufferSize,
        };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hubUrl.Port), timeout.Token);
            await UpgradeAsync(socket, hubUrl, connectionToken, timeout.Token);
            await SendTextFrameAsync(socket, "{\"protocol\":\"json\",\"version\":1}\u001e", timeout.Token);
            await ReadHandshakeResponseAsync(socket, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new StalledWebSocketClient(socket, connectionId);
    }

    /// <summary>
    /// Reads and discards everything until the server closes the connection, and returns false if it is still open
    /// after <paramref name="timeout"/>. Reading drains the backlog, so call it only once the stall has done its work.
    /// </summary>
    public async Task<bool> WaitForServerCloseAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellation.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            // A reset from an aborted connection counts as closed.
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Closes the socket.</summary>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<(string ConnectionId, string ConnectionToken)> NegotiateAsync(Uri hubUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(hubUrl + "/negotiate?negotiateVersion=1"), null, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = body.RootElement;
        return (root.GetProperty("connectionId").GetString()!, root.GetProperty("connectionToken").GetString()!);
    }

    private static async Task UpgradeAsync(Socket socket, Uri hubUrl, string connectionToken, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request =
            $"GET {hubUrl.AbsolutePath}?id={Uri.EscapeDataString(connectionToken)} HTTP/1.1\r\n"
            + $"Host: {hubUrl.Authority}\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {key}\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellationToken);

        // Read the response headers byte by byte, so no byte of the first WebSocket frame is consumed here.
        var headers = new StringBuilder();
        var one = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 0)
            {
                throw new IOException($"The server closed the connection during the WebSocket upgrade: {headers}");
            }

            headers.Append((char)one[0]);
        }

        if (!headers.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IOException($"The WebSocket upgrade failed: {headers}");
        }
    }

    private static async Task SendTextFrameAsync(Socket socket, string text, CancellationToken cancellationToken)
    {
        // A client frame must be masked (RFC 6455, section 5.3). The payload is short, so the 7-bit length fits.
        var payload = Encoding.UTF8.GetBytes(text);
        var mask = RandomNumberGenerator.GetBytes(4);
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = 0x81;
        frame[1] = (byte)(0x80 | payload.Length);
        mask.CopyTo(frame, 2);
        for (var index = 0; index < payload.Length; index++)
        {
            frame[6 + index] = (byte)(payload[index] ^ mask[index % 4]);
        }

        await socket.SendAsync(frame, SocketFlags.None, cancellationToken);
    }

    private static async Task ReadHandshakeResponseAsync(Socket socket, CancellationToken cancellationToken)
    {
        // The handshake response is one small unmasked text frame, "{}" and a record separator.
        var received = new List<byte>();
        var buffer = new byte[1];
        while (!received.Contains(RecordSeparator))
        {
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) == 0)
            {
                throw new IOException("The server closed the connection during the hub handshake.");
            }

            received.Add(buffer[0]);
        }

        var text = Encoding.UTF8.GetString(received.Skip(2).ToArray());
        if (text.Contains("error", StringComparison.Ordinal))
        {
            throw new IOException($"The hub handshake failed: {text}");
        }
    }
}
