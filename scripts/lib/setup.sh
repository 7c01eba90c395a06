# Set-up steps shared by demo.sh and test.sh. Sourcing this file defines functions and the *_DIR and REPO_ROOT
# variables and runs nothing.
# The functions install what is missing on a Debian machine and expect to run as root when they must install.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SAMPLE_DIR="$REPO_ROOT/src/SampleChat"
GATEWAY_DIR="$REPO_ROOT/src/SampleGateway"
NODE_TEST_DIR="$REPO_ROOT/tests/WsHub.SignalR.Tests/Node"

_apt_updated=false

log_step() {
  printf '==> %s\n' "$*"
}

fail() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Installs Debian packages, running apt-get update at most once per script run.
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    fail "apt-get not found. Install these packages with your package manager: $*"
  fi
  if [[ "$(id -u)" != "0" ]]; then
    fail "installing $* needs root. Run this script as root or install the packages first."
  fi
  if [[ "$_apt_updated" != "true" ]]; then
    log_step "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update
    _apt_updated=true
  fi
  log_step "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    fail "dotnet not found. Install the .NET 10 SDK (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run again."
  fi
}

ensure_redis() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server
  fi
}

ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
}

ensure_chromium() {
  if [[ ! -x /usr/bin/chromium ]]; then
    apt_install chromium
  fi
}

# Runs npm ci in a folder unless node_modules already matches its package-lock.json.
npm_ci_if_needed() {
  local folder="$1"
  local installed_lock="$folder/node_modules/.package-lock.json"
  if [[ -f "$installed_lock" && "$installed_lock" -nt "$folder/package-lock.json" ]]; then
    return 0
  fi
  log_step "npm ci in ${folder#"$REPO_ROOT"/}"
  (cd "$folder" && npm ci --no-audit --no-fund)
}

# Installs the SignalR JS client of the sample page and copies it into wwwroot/lib/signalr.
ensure_sample_js_client() {
  ensure_node
  npm_ci_if_needed "$SAMPLE_DIR"
  local source_dir="$SAMPLE_DIR/node_modules/@microsoft/signalr/dist/browser"
  local target_dir="$SAMPLE_DIR/wwwroot/lib/signalr"
  mkdir -p "$target_dir"
  cp "$source_dir/signalr.js" "$source_dir/signalr.min.js" "$source_dir/signalr.min.js.map" "$target_dir/"
}

ensure_node_test_client() {
  ensure_node
  npm_ci_if_needed "$NODE_TEST_DIR"
}
