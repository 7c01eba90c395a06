using System.Diagnostics;
using System.Text;
using FluentAssertions;
using WsHub.SignalR.Tests.Infrastructure.Sample;
using Xunit.Abstractions;

namespace WsHub.SignalR.Tests.Node;

/// <summary>
/// Runs the Node SignalR client in check-delivery.mjs against two SampleChat instances.
/// </summary>
[Collection(SampleChatCollection.Name)]
public sealed class NodeClientTests(SampleChatCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task CheckDelivery_ClientsOnTwoInstances_AllChecksPass()
    {
        var folder = RepositoryPaths.NodeTestClient;
        var clientPackage = Path.Combine(folder, "node_modules", "@microsoft", "signalr", "package.json");
        File.Exists(clientPackage).Should().BeTrue(
            $"the Node SignalR client must be installed in {folder}/node_modules; run scripts/test.sh, which runs npm ci there");

        var result = await RunNodeAsync(folder, "check-delivery.mjs", cluster.UrlA.ToString(), cluster.UrlB.ToString());
        output.WriteLine(result.Output);

        result.ExitCode.Should().Be(0, $"check-delivery.mjs must pass. Output:\n{result.Output}");
        result.Output.Should().Contain("bob (MessagePack)");
        result.Output.Should().Contain("ok group delivery from instance A to instance B");
        result.Output.Should().Contain("ok user delivery from instance B to instance A");
        result.Output.Should().Contain("ok all delivery from instance A to both instances");
        result.Output.Should().Contain("ok client result from instance B returned to instance A");
        result.Output.Should().Contain("ok ping of an unknown connection returns an error");
        result.Output.Should().Contain("all checks passed");
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string folder, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("node was not found on PATH. Install Node.js or run scripts/test.sh.", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ScriptTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"node {string.Join(' ', arguments)} did not finish within {ScriptTimeout.TotalSeconds} seconds. Output:\n{Text(output)}");
        }

        // The parameterless wait returns only after the redirected streams reach their end.
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (process.ExitCode, Text(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
