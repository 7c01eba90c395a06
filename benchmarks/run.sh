#!/usr/bin/env bash
# Builds the benchmarks in Release and runs the load tool with the commands recorded in docs/benchmarks.md:
# all figures for the three backplanes, group fan-out on WsHub with message history off and on, and figure 5
# (memory) alone with 5 rounds.
# Extra arguments go to the first run, for example: benchmarks/run.sh --rounds 5
# Micro benchmarks: dotnet run -c Release --project benchmarks/WsHub.Benchmarks.Micro -- --filter '*'
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

dotnet build benchmarks/WsHub.Benchmarks.LoadTool/WsHub.Benchmarks.LoadTool.csproj -c Release
dotnet exec benchmarks/WsHub.Benchmarks.LoadTool/bin/Release/net10.0/WsHub.Benchmarks.LoadTool.dll \
  --duration 3 --warmup 1 --loss-duration 6 \
  --out docs/benchmark-results.md --chart docs/benchmarks.svg "$@"

# The cost of message history: group fan-out on WsHub with history off and then on, back to back.
chart_dir="$(mktemp -d)"
trap 'rm -rf "$chart_dir"' EXIT
for history in off on; do
  dotnet exec benchmarks/WsHub.Benchmarks.LoadTool/bin/Release/net10.0/WsHub.Benchmarks.LoadTool.dll \
    --backplanes wshub --figures 1 --history "$history" --duration 3 --warmup 1 \
    --out "docs/benchmark-history-$history.md" --chart "$chart_dir/history-$history.svg"
done

# Server memory per connection varies between rounds by more than the difference between the backplanes, so
# figure 5 also runs alone with 5 rounds.
dotnet exec benchmarks/WsHub.Benchmarks.LoadTool/bin/Release/net10.0/WsHub.Benchmarks.LoadTool.dll \
  --backplanes official,wshub --figures 5 --rounds 5 \
  --out docs/benchmark-memory.md --chart "$chart_dir/memory.svg"
