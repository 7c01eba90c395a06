#!/usr/bin/env bash
# Starts a Redis server and several SampleChat instances on loopback that share it, then waits for Ctrl-C.
#
# Environment:
#   WSHUB_DEMO_REDIS_PORT  Redis port (default 6390)
#   WSHUB_DEMO_INSTANCES   number of SampleChat instances (default 2), on ports 5101, 5102, ...
#   WSHUB_DEMO_FIRST_PORT  port of the first instance (default 5101)
set -euo pipefail

# shellcheck source=lib/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"

redis_port="${WSHUB_DEMO_REDIS_PORT:-6390}"
instance_count="${WSHUB_DEMO_INSTANCES:-2}"
first_port="${WSHUB_DEMO_FIRST_PORT:-5101}"

for setting in redis_port instance_count first_port; do
  if [[ ! "${!setting}" =~ ^[0-9]+$ ]]; then
    fail "$setting must be a whole number, got '${!setting}'."
  fi
done
if (( instance_count < 1 || instance_count > 20 )); then
  fail "WSHUB_DEMO_INSTANCES must be between 1 and 20, got $instance_count."
fi

state_dir=""
started_pids=()

stop_all() {
  local pid
  for pid in "${started_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${started_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  started_pids=()
  if [[ -n "$state_dir" && -d "$state_dir" ]]; then
    rm -rf "$state_dir"
  fi
}

on_exit() {
  local status=$?
  trap - INT TERM EXIT
  if (( ${#started_pids[@]} > 0 )); then
    log_step "stopping Redis and the SampleChat instances"
  fi
  stop_all
  exit "$status"
}

trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Succeeds when an HTTP GET of / on the loopback port returns status 200. Uses bash's /dev/tcp, so curl is not needed.
http_ok() {
  local port="$1"
  local status_line
  status_line="$(timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    IFS= read -r line <&3 && printf "%s" "$line"
  ' _ "$port" 2>/dev/null)" || return 1
  [[ "$status_line" == "HTTP/1."?" 200"* ]]
}

port_in_use() {
  timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

ensure_dotnet
ensure_redis
ensure_sample_js_client

state_dir="$(mktemp -d -t wshub-demo.XXXXXX)"

if port_in_use "$redis_port"; then
  fail "port $redis_port is already in use. Set WSHUB_DEMO_REDIS_PORT to a free port."
fi
for (( i = 0; i < instance_count; i++ )); do
  if port_in_use $(( first_port + i )); then
    fail "port $(( first_port + i )) is already in use. Set WSHUB_DEMO_FIRST_PORT to a free range."
  fi
done

log_step "starting redis-server on 127.0.0.1:$redis_port"
mkdir -p "$state_dir/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$state_dir/redis" \
  >"$state_dir/redis.log" 2>&1 &
redis_pid=$!
started_pids+=("$redis_pid")

deadline=$(( SECONDS + 15 ))
until redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; do
  if ! kill -0 "$redis_pid" 2>/dev/null; then
    cat "$state_dir/redis.log" >&2
    fail "redis-server exited during start; its log is above."
  fi
  if (( SECONDS > deadline )); then
    fail "redis-server did not answer PING within 15 seconds."
  fi
  sleep 0.2
done

log_step "building SampleChat"
dotnet build "$SAMPLE_DIR/SampleChat.csproj" --configuration Release --output "$state_dir/bin" --nologo -verbosity:quiet

for (( i = 0; i < instance_count; i++ )); do
  port=$(( first_port + i ))
  log_step "starting SampleChat on http://127.0.0.1:$port"
  dotnet "$state_dir/bin/SampleChat.dll" \
    --urls "http://127.0.0.1:$port" \
    --contentRoot "$SAMPLE_DIR" \
    --Redis "127.0.0.1:$redis_port" \
    >"$state_dir/sample-$port.log" 2>&1 &
  started_pids+=("$!")
done

for (( i = 0; i < instance_count; i++ )); do
  port=$(( first_port + i ))
  pid="${started_pids[$(( i + 1 ))]}"
  deadline=$(( SECONDS + 60 ))
  until http_ok "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$state_dir/sample-$port.log" >&2
      fail "SampleChat on port $port exited during start; its log is above."
    fi
    if (( SECONDS > deadline )); then
      fail "SampleChat on port $port did not respond within 60 seconds. Log: $state_dir/sample-$port.log"
    fi
    sleep 0.3
  done
done

printf '\nWsHub demo is running. Redis: 127.0.0.1:%s\n' "$redis_port"
for (( i = 0; i < instance_count; i++ )); do
  port=$(( first_port + i ))
  printf '  instance %d: http://127.0.0.1:%d/?user=user%d  (log: %s)\n' \
    $(( i + 1 )) "$port" $(( i + 1 )) "$state_dir/sample-$port.log"
done
printf 'Open two of the pages, join the same room and chat. Press Ctrl-C to stop everything.\n'

# Wait until Ctrl-C, or until any started process exits on its own.
wait -n "${started_pids[@]}" || true
printf 'error: a demo process exited on its own; stopping the rest.\n' >&2
exit 1
