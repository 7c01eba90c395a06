#!/usr/bin/env bash
# Installs what the tests need and runs the whole test suite. Extra arguments go to dotnet test,
# for example: scripts/test.sh --filter "FullyQualifiedName~Browser"
set -euo pipefail

# shellcheck source=lib/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"

ensure_dotnet
ensure_redis
ensure_chromium
ensure_sample_js_client
ensure_node_test_client

# The browser tests drive /usr/bin/chromium, so Playwright must not download its own browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

log_file="$(mktemp -t wshub-test.XXXXXX.log)"
log_step "dotnet test WsHub.SignalR.sln $*"
set +e
dotnet test "$REPO_ROOT/WsHub.SignalR.sln" "$@" 2>&1 | tee "$log_file"
status=${PIPESTATUS[0]}
set -e

printf '\n==== Summary ====\n'
if grep -E '^(Passed|Failed)!|^Test summary:|^ +(total|failed|succeeded|skipped):' "$log_file"; then
  :
else
  printf 'dotnet test printed no test totals; see the output above.\n'
fi
# One plain "N passed, N failed" line over all test projects, for CI logs.
awk '/^(Passed|Failed)!/ {
  for (i = 1; i <= NF; i++) {
    if ($i == "Failed:") failed += $(i + 1)
    if ($i == "Passed:") passed += $(i + 1)
    if ($i == "Skipped:") skipped += $(i + 1)
  }
}
END { printf "Tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log_file"
if (( status == 0 )); then
  printf 'Result: all tests passed.\n'
else
  printf 'Result: dotnet test failed with exit code %d. Full output: %s\n' "$status" "$log_file"
fi
if (( status == 0 )); then
  rm -f "$log_file"
fi
exit "$status"
