using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WsHub.SignalR.Tests.Cluster;

/// <summary>
/// One WsHub.TestServer process on a free loopback port, with its console log and an HTTP client for its presence
/// endpoints.
/// </summary>
internal sealed class TestServerProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly HttpClient _http;

    private TestServerProcess(Process process, string name, int port)
    {
        _process = process;
        Name = name;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => AppendLog(e.Data);
        process.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>A short name for messages, such as <c>A</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The base URL, without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The WsHub instance id, known once the server answered <c>/instance</c>.</summary>
    public string InstanceId { get; private set; } = string.Empty;

    /// <summary>The operating system process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only valid after the process ended.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The console output so far, one entry a line.</summary>
    public IReadOnlyList<string> LogLines => [.. _log];

    /// <summary>
    /// Starts <c>dotnet WsHub.TestServer.dll</c> with the given settings and waits until it answers <c>/instance</c>.
    /// </summary>
    public static async Task<TestServerProcess> StartAsync(string name, string redis, string prefix, ClusterTimings timings)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo(DotnetPath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TestServerAssemblyPath());
        AddSetting(start, "urls", $"http://127.0.0.1:{port}");
        AddSetting(start, "Redis", redis);
        AddSetting(start, "Prefix", prefix);
        AddSetting(start, "HeartbeatMs", timings.Heartbeat);
        AddSetting(start, "InstanceTimeoutMs", timings.InstanceTimeout);
        AddSetting(start, "DrainBatchSize", timings.DrainBatchSize.ToString(CultureInfo.InvariantCulture));
        AddSetting(start, "DrainBatchIntervalMs", timings.DrainBatchInterval);
        AddSetting(start, "DrainTimeoutMs", timings.DrainTimeout);

        // Workstation GC keeps several servers on a two-core machine from each taking a heap per core.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the test server.");
        var server = new TestServerProcess(process, name, port);
        try
        {
            var identity = await Poll.UntilAsync(server.TryGetIdentityAsync, identity => identity is not null || server.HasExited,
                TimeSpan.FromSeconds(30));
            if (identity is null)
            {
                throw new InvalidOperationException(
                    $"Test server {name} on port {port} did not answer /instance within 30 s (exited: {server.HasExited}). "
                    + $"Log:{Environment.NewLine}{server.FormatLog()}");
            }

            server.InstanceId = identity.InstanceId;
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends the process with SIGKILL, as a crash would.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Sends SIGTERM, which starts the host's graceful shutdown, and returns without waiting.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", ProcessId.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {ProcessId} failed with exit code {kill.ExitCode}.");
        }
    }

    /// <summary>Waits for the process to end; returns false when it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);

            // The parameterless wait also lets the redirected output reach its last line.
            _process.WaitForExit();
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public Task<IReadOnlyList<WsHubInstanceInfo>> GetInstancesAsync() =>
        GetAsync<IReadOnlyList<WsHubInstanceInfo>>("/presence/instances");

    public Task<ConnectionPresence> GetConnectionAsync(string connectionId) =>
        GetAsync<ConnectionPresence>("/presence/connection/" + Uri.EscapeDataString(connectionId));

    public Task<WsHubUserPresence> GetUserAsync(string userId) =>
        GetAsync<WsHubUserPresence>("/presence/user/" + Uri.EscapeDataString(userId));

    public Task<GroupPresence> GetGroupAsync(string groupName) =>
        GetAsync<GroupPresence>("/presence/group/" + Uri.EscapeDataString(groupName));

    public Task<ConnectionGroupsPresence> GetConnectionGroupsAsync(string connectionId) =>
        GetAsync<ConnectionGroupsPresence>("/presence/connection-groups/" + Uri.EscapeDataString(connectionId));

    /// <summary>The console output, for failure messages.</summary>
    public string FormatLog() => string.Join(Environment.NewLine, _log);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private async Task<T> GetAsync<T>(string path)
    {
        var value = await _http.GetFromJsonAsync<T>(path, JsonOptions).WaitAsync(TimeSpan.FromSeconds(10));
        return value ?? throw new InvalidOperationException($"{Name} returned null for {path}.");
    }

    private async Task<InstanceIdentity?> TryGetIdentityAsync()
    {
        try
        {
            return await _http.GetFromJsonAsync<InstanceIdentity>("/instance", JsonOptions).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutException)
        {
            return null;
        }
    }

    private void AppendLog(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    private static void AddSetting(ProcessStartInfo start, string key, string value)
    {
        start.ArgumentList.Add("--" + key);
        start.ArgumentList.Add(value);
    }

    private static void AddSetting(ProcessStartInfo start, string key, TimeSpan value)
    {
        AddSetting(start, key, ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
    }

    private static string DotnetPath()
    {
        // dotnet test sets DOTNET_HOST_PATH to the host that runs it, which also runs the server.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return string.IsNullOrEmpty(host) ? "dotnet" : host;
    }

    private static string TestServerAssemblyPath()
    {
        // The test project builds WsHub.TestServer through a project reference without using its assembly, so the
        // server lands in its own bin folder, under the same configuration and target framework as the tests.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var testsFolder = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(testsFolder, "WsHub.TestServer", "bin", configuration, targetFramework, "WsHub.TestServer.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"WsHub.TestServer was not built at {path}. Build the test project first.", path);
    }
}
