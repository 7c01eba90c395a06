using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// A redis-server process on a free loopback port, without persistence, in its own temporary folder.
/// </summary>
internal sealed class SampleRedisServer : IAsyncDisposable
{
    private const string ServerPath = "/usr/bin/redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _output = new();

    private SampleRedisServer(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of the server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>
    /// Starts redis-server and waits until it replies to PING.
    /// </summary>
    /// <returns>The running server.</returns>
    /// <exception cref="InvalidOperationException">redis-server is missing, exited or did not reply to PING in time.</exception>
    public static async Task<SampleRedisServer> StartAsync()
    {
        if (!File.Exists(ServerPath))
        {
            throw new InvalidOperationException(
                $"{ServerPath} not found. Install it with 'apt-get install -y redis-server' or run scripts/test.sh.");
        }

        var port = FindFreePort();
        var folder = Directory.CreateTempSubdirectory("wshub-sample-redis-").FullName;
        var startInfo = new ProcessStartInfo(ServerPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", string.Empty,
            "--appendonly", "no",
            "--dir", folder,
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"{ServerPath} could not be started.");
        var server = new SampleRedisServer(process, folder, port);
        process.OutputDataReceived += (_, e) => server.AppendOutput(e.Data);
        process.ErrorDataReceived += (_, e) => server.AppendOutput(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await server.WaitForPingAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    // The port can be taken between this check and the server start; the PING wait then reports it.
    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private async Task WaitForPingAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"redis-server on port {Port} exited with code {_process.ExitCode} during start. Output:\n{Output()}");
            }

            if (await TryPingAsync())
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        throw new InvalidOperationException(
            $"redis-server on port {Port} did not reply to PING within {StartTimeout.TotalSeconds} seconds. Output:\n{Output()}");
    }

    private async Task<bool> TryPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(1));
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray()).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }
}
