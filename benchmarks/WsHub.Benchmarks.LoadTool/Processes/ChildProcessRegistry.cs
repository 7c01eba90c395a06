using System.Diagnostics;

namespace WsHub.Benchmarks.LoadTool.Processes;

/// <summary>
/// Every process the tool starts, so that all of them can be killed on exit, on Ctrl-C and on failure.
/// </summary>
internal sealed class ChildProcessRegistry
{
    private readonly Lock _lock = new();
    private readonly List<Process> _processes = [];

    public void Add(Process process)
    {
        lock (_lock)
        {
            _processes.Add(process);
        }
    }

    /// <summary>
    /// Kills every tracked process that still runs, with its children. Safe to call more than once and from any thread.
    /// </summary>
    public void KillAll()
    {
        List<Process> snapshot;
        lock (_lock)
        {
            snapshot = [.. _processes];
            _processes.Clear();
        }

        foreach (var process in snapshot)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // The process exited between the check and the kill.
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Same race on some platforms.
            }
        }
    }
}
