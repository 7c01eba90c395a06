#!/usr/bin/env bash
# Builds the benchmarks in Release and runs the load tool with the command recorded in docs/benchmarks.md.
# Extra arguments go to the load tool, for example: benchmarks/run.sh --rounds 5
# Micro benchmarks: dotnet run -c Release --project benchmarks/WsHub.Benchmarks.Micro -- --filter '*'
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

dotnet build benchmarks/WsHub.Benchmarks.LoadTool/WsHub.Benchmarks.LoadTool.csproj -c Release
dotnet exec benchmarks/WsHub.Benchmarks.LoadTool/bin/Release/net10.0/WsHub.Benchmarks.LoadTool.dll \
  --duration 3 --warmup 1 --loss-duration 6 \
  --out docs/benchmark-results.md --chart docs/benchmarks.svg "$@"
