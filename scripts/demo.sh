#!/usr/bin/env bash
# Starts a Redis server, several SampleChat instances on loopback that share it and a gateway in front of them,
# then waits for Ctrl-C. An instance may be stopped on its own (kill -TERM PID), and the rest keeps running.
# kill -USR1 on this script starts the stopped instances again. Redis is started again whenever it exits, so a
# kill -9 on Redis shows how the cluster recovers. The demo stops everything when the gateway exits.
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
redis_pid=""
gateway_pid=""
# The process id of the SampleChat instance with index i, or an empty string while it is stopped. Exited processes
# are removed at once, so that no signal goes to a process id that the system has given to another process.
instance_pids=()
restart_requested=false

# Stops the gateway and the instances first, so they drain while Redis still runs, and Redis last.
stop_all() {
  local pid
  local app_pids=()
  for pid in "$gateway_pid" "${instance_pids[@]}"; do
    if [[ -n "$pid" ]]; then
      app_pids+=("$pid")
    fi
  done
  for pid in "${app_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${app_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  gateway_pid=""
  instance_pids=()
  if [[ -n "$redis_pid" ]]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
  fi
  if [[ -n "$state_dir" && -d "$state_dir" ]]; then
    rm -rf "$state_dir"
  fi
}

on_exit() {
  local status=$?
  trap - INT TERM USR1 EXIT
  if [[ -n "$redis_pid" ]]; then
    log_step "stopping the gateway and the SampleChat instances, then Redis"
  fi
  stop_all
  exit "$status"
}

trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'restart_requested=true' USR1

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

# Starts redis-server in a session of its own, so the SIGINT that Ctrl-C sends to the terminal's process group does
# not reach it, and waits until it replies to PING. stop_all stops it after the instances. setsid runs redis-server in
# the same process, because a background job of a script without job control is no process group leader, so
# redis_pid is the server's process id.
start_redis() {
  mkdir -p "$state_dir/redis"
  setsid redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$state_dir/redis" \
    >>"$state_dir/redis.log" 2>&1 &
  redis_pid=$!

  local deadline=$(( SECONDS + 15 ))
  until redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; do
    if ! kill -0 "$redis_pid" 2>/dev/null; then
      cat "$state_dir/redis.log" >&2
      fail "redis-server exited during start; its log is above."
    fi
    if (( SECONDS > deadline )); then
      fail "redis-server did not reply to PING within 15 seconds. Log: $state_dir/redis.log"
    fi
    sleep 0.2
  done
}

# Starts the SampleChat instance with index i in the background and records its process id.
start_instance() {
  local index="$1"
  local port=$(( first_port + index ))
  dotnet "$state_dir/bin/SampleChat.dll" \
    --urls "http://127.0.0.1:$port" \
    --contentRoot "$SAMPLE_DIR" \
    --Redis "127.0.0.1:$redis_port" \
    >>"$state_dir/sample-$port.log" 2>&1 &
  instance_pids[index]=$!
}

# Waits until the SampleChat instance with index i responds. Prints an error and returns 1 when the instance exits or
# does not respond within 60 seconds.
wait_for_instance() {
  local index="$1"
  local port=$(( first_port + index ))
  local deadline=$(( SECONDS + 60 ))
  until http_ok "$port"; do
    if ! kill -0 "${instance_pids[index]}" 2>/dev/null; then
      tail -n 40 "$state_dir/sample-$port.log" >&2
      printf 'error: SampleChat on port %d exited during start; the end of its log is above.\n' "$port" >&2
      return 1
    fi
    if (( SECONDS > deadline )); then
      printf 'error: SampleChat on port %d did not respond within 60 seconds. Log: %s\n' \
        "$port" "$state_dir/sample-$port.log" >&2
      return 1
    fi
    sleep 0.3
  done
}

# Prints how many SampleChat instances run.
count_running_instances() {
  local pid
  local count=0
  for pid in "${instance_pids[@]}"; do
    if [[ -n "$pid" ]]; then
      count=$(( count + 1 ))
    fi
  done
  printf '%d' "$count"
}

log_step "starting redis-server on 127.0.0.1:$redis_port"
start_redis

log_step "building SampleChat"
dotnet build "$SAMPLE_DIR/SampleChat.csproj" --configuration Release --output "$state_dir/bin" --nologo -verbosity:quiet
log_step "building SampleGateway"
dotnet build "$GATEWAY_DIR/SampleGateway.csproj" --configuration Release --output "$state_dir/gateway-bin" --nologo \
  -verbosity:quiet

for (( i = 0; i < instance_count; i++ )); do
  log_step "starting SampleChat on http://127.0.0.1:$(( first_port + i ))"
  start_instance "$i"
done

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

for (( i = 0; i < instance_count; i++ )); do
  wait_for_instance "$i" || exit 1
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

printf '\nWsHub demo is running. Redis: 127.0.0.1:%s  (pid %s, log: %s)\n' \
  "$redis_port" "$redis_pid" "$state_dir/redis.log"
printf 'Open this: http://127.0.0.1:%s/  (gateway; log: %s)\n' "$gateway_port" "$state_dir/gateway.log"
printf '  cluster view: http://127.0.0.1:%s/cluster.html\n' "$gateway_port"
printf 'Each instance directly:\n'
for (( i = 0; i < instance_count; i++ )); do
  port=$(( first_port + i ))
  printf '  instance %d: http://127.0.0.1:%d/?user=user%d  (pid %s, log: %s)\n' \
    $(( i + 1 )) "$port" $(( i + 1 )) "${instance_pids[i]}" "$state_dir/sample-$port.log"
done
printf 'Open the gateway in two browsers (or a normal and a private window), join the same room and chat.\n'
printf 'Stop one instance with kill -TERM PID to watch its browsers move to another, and start the stopped\n'
printf 'instances again with: kill -USR1 %s\n' "$$"
printf 'Stop Redis with kill -9 %s to watch the pages carry on; the demo starts it again on the same port.\n' \
  "$redis_pid"
printf 'Press Ctrl-C to stop everything.\n'

# Starts the instances that have exited, after kill -USR1 on this script. An instance that fails to start is stopped
# and stays stopped; the demo keeps running.
restart_stopped_instances() {
  local i
  if (( $(count_running_instances) == instance_count )); then
    printf '==> All %d SampleChat instances are running; none to start again.\n' "$instance_count"
    return
  fi

  for (( i = 0; i < instance_count; i++ )); do
    if [[ -n "${instance_pids[i]}" ]]; then
      continue
    fi

    log_step "starting SampleChat on http://127.0.0.1:$(( first_port + i )) again"
    start_instance "$i"
    if wait_for_instance "$i"; then
      printf '==> SampleChat on port %d runs again with pid %s.\n' $(( first_port + i )) "${instance_pids[i]}"
    else
      kill "${instance_pids[i]}" 2>/dev/null || true
      wait "${instance_pids[i]}" 2>/dev/null || true
      instance_pids[i]=""
    fi
  done
}

# Wait until Ctrl-C or until the gateway exits. Redis is started again when it exits. An instance that exits, for
# example after kill -TERM, is reported and the demo keeps running on the others until kill -USR1 starts it again.
while true; do
  if [[ "$restart_requested" == "true" ]]; then
    restart_requested=false
    restart_stopped_instances
  fi

  running_instances=()
  for pid in "${instance_pids[@]}"; do
    if [[ -n "$pid" ]]; then
      running_instances+=("$pid")
    fi
  done

  # wait -p unsets exited_pid first, and a trapped signal such as USR1 ends the wait early with it still unset.
  wait -n -p exited_pid "$redis_pid" "$gateway_pid" "${running_instances[@]}" || true
  if [[ -z "${exited_pid:-}" ]]; then
    continue
  fi

  if [[ "$exited_pid" == "$gateway_pid" ]]; then
    gateway_pid=""
    printf 'error: the gateway (pid %s) exited on its own; stopping the rest. Log: %s\n' \
      "$exited_pid" "$state_dir/gateway.log" >&2
    exit 1
  fi

  if [[ "$exited_pid" == "$redis_pid" ]]; then
    redis_pid=""
    log_step "Redis exited; starting it again on port $redis_port"
    start_redis
    printf '==> Redis runs again with pid %s.\n' "$redis_pid"
    continue
  fi

  for (( i = 0; i < instance_count; i++ )); do
    if [[ "${instance_pids[i]}" == "$exited_pid" ]]; then
      instance_pids[i]=""
      printf '==> SampleChat on port %d (pid %s) exited; %s instance(s) still running.\n' \
        $(( first_port + i )) "$exited_pid" "$(count_running_instances)"
      printf '    Start it again with: kill -USR1 %s\n' "$$"
    fi
  done
done
