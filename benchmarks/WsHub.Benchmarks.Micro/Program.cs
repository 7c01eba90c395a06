using BenchmarkDotNet.Running;

namespace WsHub.Benchmarks.Micro;

/// <summary>
/// Entry point: pass BenchmarkDotNet options, for example <c>--filter *EnvelopeCodec*</c>.
/// </summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
