using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FluentAssertions;
using WsHub.Benchmarks.Micro;

namespace WsHub.SignalR.Tests.Benchmarks;

/// <summary>
/// Runs micro benchmarks once each, in process, so that they keep compiling and running as the library changes.
/// </summary>
public sealed class MicroBenchmarkSmokeTests : IDisposable
{
    private readonly DirectoryInfo _artifacts = Directory.CreateTempSubdirectory("wshub-micro-smoke-");

    [Fact]
    public async Task EnvelopeCodecBenchmark_DryJob_EveryCaseSucceeds()
    {
        var log = new AccumulationLogger();

        // The dry job runs each case once, and the in-process toolchain skips generating and building a host project.
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
            .AddLogger(log)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator)
            .WithArtifactsPath(_artifacts.FullName);

        var summary = await Task.Run(() => BenchmarkRunner.Run<EnvelopeCodecBenchmark>(config)).WaitAsync(TimeSpan.FromSeconds(90));

        summary.HasCriticalValidationErrors.Should().BeFalse(log.GetLog());
        summary.Reports.Should().HaveCount(8, "4 methods run for 2 payload sizes");
        summary.Reports.Should().OnlyContain(report => report.Success, log.GetLog());
    }

    public void Dispose() => _artifacts.Delete(recursive: true);
}
