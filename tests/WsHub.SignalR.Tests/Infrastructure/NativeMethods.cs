using System.Runtime.InteropServices;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// POSIX calls that <see cref="System.Diagnostics.Process"/> does not offer, used to stop and continue a child process.
/// </summary>
internal static class NativeMethods
{
    /// <summary>SIGCONT on Linux.</summary>
    public const int SignalContinue = 18;

    /// <summary>SIGSTOP on Linux.</summary>
    public const int SignalStop = 19;

    /// <summary>
    /// Sends a signal to a process. Returns 0 on success and -1 on failure, with the error in the last P/Invoke error.
    /// </summary>
    // DllImport rather than LibraryImport, because the source-generated form needs unsafe code enabled in the project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int processId, int signal);
}
