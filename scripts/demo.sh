#!/usr/bin/env bash
# Starts a Redis server, several SampleChat instances on loopback that share it and a gateway in front of them,
# then waits for Ctrl-C. An instance may be stopped on its own (kill -TERM PID); the rest keeps running.
#
# Environment:
#   WSHUB_DEMO_REDIS_PORT    Redis port (default 6390)
#   WSHUB_DEMO_INSTANCES     number of SampleChat instances (default 2), on ports 5101, 5102, ...
#   WSHUB_DEMO_FIRST_PORT    port of the first instance (default 5101)
#   WSHUB_DEMO_GATEWAY_PORT  port of the gateway (default 5100)
set -euo pipefail

# shellcheck source=lib/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"

redis_port="${WSHUB_DEMO_REDIS_PORT:-6390}"
instance_count="${WSHUB_DEMO_INSTANCES:-2}"
first_port="${WSHUB_DEMO_FIRST_PORT:-5101}"
gateway_port="${WSHUB_DEMO_GATEWAY_PORT:-5100}"

for setting in redis_port instance_count first_port gateway_port; do
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
    log_step "stopping Redis, the SampleChat instances and the gateway"
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
if port_in_use "$gateway_port"; then
  fail "port $gateway_port is already in use. Set WSHUB_DEMO_GATEWAY_PORT to a free port."
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
log_step "building SampleGateway"
dotnet build "$GATEWAY_DIR/SampleGateway.csproj" --configuration Release --output "$state_dir/gateway-bin" --nologo \
  -verbosity:quiet

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
instance_pids=("${started_pids[@]:1}")

instance_urls=()
for (( i = 0; i < instance_count; i++ )); do
  instance_urls+=("http://127.0.0.1:$(( first_port + i ))")
done
log_step "starting SampleGateway on http://127.0.0.1:$gateway_port"
dotnet "$state_dir/gateway-bin/SampleGateway.dll" \
  --urls "http://127.0.0.1:$gateway_port" \
  --contentRoot "$GATEWAY_DIR" \
  --Instances "$(IFS=,; printf '%s' "${instance_urls[*]}")" \
  >"$state_dir/gateway.log" 2>&1 &
gateway_pid=$!
started_pids+=("$gateway_pid")

for (( i = 0; i < instance_count; i++ )); do
  port=$(( first_port + i ))
  pid="${instance_pids[$i]}"
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

deadline=$(( SECONDS + 60 ))
until http_ok "$gateway_port"; do
  if ! kill -0 "$gateway_pid" 2>/dev/null; then
    cat "$state_dir/gateway.log" >&2
    fail "SampleGateway exited during start; its log is above."
  fi
  if (( SECONDS > deadline )); then
    fail "SampleGateway did not respond within 60 seconds. Log: $state_dir/gateway.log"
  fi
  sleep 0.3
done

printf '\nWsHub demo is running. Redis: 127.0.0.1:%s\n' "$redis_port"
printf 'Open this: http://127.0.0.1:%s/  (gateway; log: %s)\n' "$gateway_port" "$state_dir/gateway.log"
printf '  cluster view: http://127.0.0.1:%s/cluster.html\n' "$gateway_port"
printf 'Each instance directly:\n'
for (( i = 0; i < instance_count; i++ )); do
  port=$(( first_port + i ))
  printf '  instance %d: http://127.0.0.1:%d/?user=user%d  (pid %s, log: %s)\n' \
    $(( i + 1 )) "$port" $(( i + 1 )) "${instance_pids[$i]}" "$state_dir/sample-$port.log"
done
printf 'Open the gateway in two browsers (or a normal and a private window), join the same room and chat.\n'
printf 'Stop one instance with kill -TERM PID to watch its browsers move to another. Press Ctrl-C to stop everything.\n'

# Wait until Ctrl-C or until Redis or the gateway exits. An instance that exits, for example after kill -TERM, is
# reported and the demo keeps running on the others.
running_instances=("${instance_pids[@]}")
while true; do
  exited_pid=""
  wait -n -p exited_pid "$redis_pid" "$gateway_pid" "${running_instances[@]}" || true
  if [[ "$exited_pid" == "$redis_pid" || "$exited_pid" == "$gateway_pid" ]]; then
    printf 'error: Redis or the gateway (pid %s) exited on its own; stopping the rest.\n' "$exited_pid" >&2
    exit 1
  fi
  remaining=()
  for pid in "${running_instances[@]}"; do
    if [[ "$pid" != "$exited_pid" ]]; then
      remaining+=("$pid")
    fi
  done
  running_instances=("${remaining[@]}")
  printf '==> SampleChat instance with pid %s exited; %d instance(s) still running.\n' \
    "$exited_pid" "${#running_instances[@]}"
done
