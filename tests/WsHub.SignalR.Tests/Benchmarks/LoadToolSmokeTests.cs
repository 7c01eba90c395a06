using System.Diagnostics;
using System.Text;
using FluentAssertions;

namespace WsHub.SignalR.Tests.Benchmarks;

/// <summary>
/// Runs the load tool with <c>--smoke</c> as a child process, so that the benchmark keeps working as the library changes.
/// </summary>
public sealed class LoadToolSmokeTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("wshub-loadtool-smoke-");

    [Fact]
    public async Task Run_Smoke_ExitsZeroWithTableAndChart()
    {
        var toolPath = Path.Combine(AppContext.BaseDirectory, "WsHub.Benchmarks.LoadTool.dll");
        File.Exists(toolPath).Should().BeTrue($"the test project references the load tool, so {toolPath} must exist");
        var tablePath = Path.Combine(_output.FullName, "results.md");
        var chartPath = Path.Combine(_output.FullName, "chart.svg");

        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _output.FullName,
        };
        foreach (var argument in new[] { "exec", toolPath, "--smoke", "--out", tablePath, "--chart", chartPath })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => AppendLine(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => AppendLine(stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await process.WaitForExitAsync().WaitAsync(RunTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The smoke run took more than {RunTimeout}. Log:\n{Tail(stderr)}");
        }

        // WaitForExitAsync returns after the output streams reached their end, so both buffers are complete here.
        var output = Snapshot(stdout);
        process.ExitCode.Should().Be(0, $"the smoke run must succeed. Log:\n{Tail(stderr)}");
        output.Should().Contain("| Fig | Metric | Unit | none | official | wshub |");
        output.Should().Contain("| 7 | Deliveries lost while Redis restarts |");
        File.ReadAllText(tablePath).Should().Contain("| 1 | Group fan-out, 1 sender |");
        File.ReadAllText(chartPath).Should().StartWith("<svg");
    }

    public void Dispose() => _output.Delete(recursive: true);

    private static void AppendLine(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    private static string Tail(StringBuilder buffer)
    {
        var text = Snapshot(buffer);
        return text.Length <= 6000 ? text : text[^6000..];
    }
}
