using System.Diagnostics;
using System.Globalization;
using WsHub.Benchmarks.LoadTool.Serving;

namespace WsHub.Benchmarks.LoadTool.Processes;

/// <summary>
/// One server instance: a child process of this executable in <c>serve</c> mode.
/// </summary>
internal sealed class ServerInstance : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private const int MaxForwardedLogLines = 60;

    private readonly Process _process;

    private ServerInstance(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri HubUrl => new(BaseAddress, "hub");

    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts an instance and waits until it reports the address it listens on.
    /// </summary>
    public static async Task<ServerInstance> StartAsync(
        Backplane backplane,
        string? redisConfiguration,
        ChildProcessRegistry registry,
        bool history,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Under "dotnet exec tool.dll" the process path is the dotnet host, which needs the assembly path again.
        if (Path.GetFileNameWithoutExtension(startInfo.FileName) == "dotnet")
        {
            startInfo.ArgumentList.Add("exec");
            startInfo.ArgumentList.Add(typeof(ServerInstance).Assembly.Location);
        }

        startInfo.ArgumentList.Add("serve");
        startInfo.ArgumentList.Add("--backplane");
        startInfo.ArgumentList.Add(BackplaneNames.ToName(backplane));
        if (redisConfiguration is not null)
        {
            startInfo.ArgumentList.Add("--redis");
            startInfo.ArgumentList.Add(redisConfiguration);
        }

        if (history)
        {
            startInfo.ArgumentList.Add("--history");
            startInfo.ArgumentList.Add("on");
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Failed to start a server instance.");
        registry.Add(process);

        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new Queue<string>();
        var forwarded = 0;
        var name = BackplaneNames.ToName(backplane);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            if (line.StartsWith(ServeCommand.ListeningPrefix, StringComparison.Ordinal))
            {
                address.TrySetResult(new Uri(line[ServeCommand.ListeningPrefix.Length..].TrimEnd('/') + "/"));
            }
            else if (!IsStackTraceLine(line) && Interlocked.Increment(ref forwarded) <= MaxForwardedLogLines)
            {
                // The console logger writes to standard output. The server logs warnings and errors only.
                ConsoleLog.Write($"[{name} server {process.Id}] {line}");
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (!IsStackTraceLine(e.Data) && Interlocked.Increment(ref forwarded) <= MaxForwardedLogLines)
            {
                ConsoleLog.Write($"[{name} server {process.Id}] {e.Data}");
            }

            lock (errors)
            {
                errors.Enqueue(e.Data);
                if (errors.Count > 20)
                {
                    errors.Dequeue();
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var exited = process.WaitForExitAsync(cancellationToken);
            var first = await Task.WhenAny(address.Task, exited).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            if (first != address.Task)
            {
                throw new InvalidOperationException(
                    $"The {BackplaneNames.ToName(backplane)} server instance exited at start: {string.Join(" | ", errors)}");
            }
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The {BackplaneNames.ToName(backplane)} server instance did not start listening within 60 s.");
        }

        return new ServerInstance(process, await address.Task);
    }

    private static bool IsStackTraceLine(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith("at ", StringComparison.Ordinal) || trimmed.StartsWith("--- End of", StringComparison.Ordinal);
    }

    /// <summary>Returns the resident set size (VmRSS in /proc/PID/status) of the process in bytes.</summary>
    public long ReadResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"No VmRSS line in /proc/{_process.Id}/status.");
    }

    /// <summary>
    /// Asks the instance for a full, compacting garbage collection and returns its managed heap size in bytes after it.
    /// </summary>
    public async Task<long> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(new Uri(BaseAddress, "gc"), cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return long.Parse(body, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            // Closing standard input requests a stop, and a kill follows if the instance does not exit in time.
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(8));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (IOException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }
}
