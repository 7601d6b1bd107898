#!/usr/bin/env bash
# RoleMesh Gateway benchmark: the gateway against the client talking straight to the backend ("direct", the
# physical limit) and against nginx (the reference proxy), on this machine, over 127.0.0.1 only.
#
#   bench/run.sh                 full run (about 15 minutes on 2 cores), writes docs/benchmarks.md
#   bench/run.sh --smoke         seconds, tiny loads; checks that every scenario still works (CI runs this)
#
# Options: --rounds N (default 3; smoke 1)  --out FILE  --big N (largest stream count, default 10000, capped by the
# open-file limit)  --no-big (skip it)  --noisy "why" (label the figures as taken on a busy machine)
#          --only LIST (some of chat,streams,cancel,coldstart; default all)  --targets LIST (of direct,gateway,nginx,
#          gateway-nometrics: a second gateway with gateway.metrics: false, to measure what metrics cost)
#          --report-only (rewrite the report from the last run's target/bench/results.jsonl; same other options)
# Environment: GATEWAY_JAVA_OPTS, JVM flags for the gateway under test (default none: what a user gets).
#
# It starts the llama-server simulator (the backend), the gateway and nginx, pins the proxies to one core and the
# load generators and backend to the other, runs every scenario in interleaved rounds (direct, gateway, nginx,
# direct, ...), then writes the report. Exits non-zero when a scenario breaks (errors, incomplete streams, a
# cancellation never seen, a gateway that never serves); missed performance targets are reported, not failures.
# Needs root only to install wrk and nginx when missing (apt-get). Do not rebuild the jar while it runs.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
MODE=full
ROUNDS=
OUT=
BIG=10000
NOISY=
ONLY=chat,streams,cancel,coldstart
REPORT_ONLY=0
TARGET_LIST=direct,gateway,nginx
ARGS=""
for arg in "$@"; do
  [ "$arg" = --report-only ] && continue
  case "$arg" in *[[:space:]]*) arg="\"$arg\"" ;; esac
  ARGS+="${ARGS:+ }$arg"
done
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) MODE=smoke ;;
    --rounds) ROUNDS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --big) BIG=$2; shift ;;
    --no-big) BIG=0 ;;
    --noisy) NOISY=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --report-only) REPORT_ONLY=1 ;;
    --targets) TARGET_LIST=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WORK=$REPO/target/bench
SIM_PORT0=18100      # simulator k listens on SIM_PORT0 + k
GW_PORT=18000
NGINX_PORT=18001
COLD_PORT=18002
NOMETRICS_PORT=18003 # target gateway-nometrics: the gateway with gateway.metrics: false (opt in with --targets)
SIM_MAX_SLOTS=1000   # the simulator's -np is capped at 1024: more streams than that use more simulators

if [ "$MODE" = smoke ]; then
  ROUNDS=${ROUNDS:-1}
  OUT=${OUT:-$WORK/benchmarks.md}
  CHAT_WARM_S=1; CHAT_S=2; CHAT_CONNS=16
  STREAM_SETS=("40:10:20")           # streams:tokens:token-delay-ms
  STREAM_WARMUP=20
  CANCEL_TRIALS=2
  COLD_SETTLE_MS=500
  AOT=0
  BIG=0
else
  ROUNDS=${ROUNDS:-3}
  OUT=${OUT:-$REPO/docs/benchmarks.md}
  CHAT_WARM_S=10; CHAT_S=15; CHAT_CONNS=64
  STREAM_SETS=("200:50:50" "1000:50:100")
  STREAM_WARMUP=100
  CANCEL_TRIALS=20
  COLD_SETTLE_MS=2000
  AOT=1
fi

log() { echo "bench: $*" >&2; }
wanted() { [[ ",$ONLY," == *",$1,"* ]]; }
die() { log "error: $*"; exit 1; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$WORK"
RESULTS=$WORK/results.jsonl
COMMANDS=$WORK/commands.log
PASSED=0
FAILED=0
check() { # check NAME STATUS
  if [ "$2" -eq 0 ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); log "FAILED: $1"; fi
}

# --- tools ------------------------------------------------------------------------------------------------------
find_java() {
  local candidate
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  command -v java || die "no java found (set JAVA_HOME to a JDK 21+; 25 for the AOT cache)"
}
JAVA=$(find_java)
export JAVA_HOME=${JAVA_HOME:-$(cd "$(dirname "$(readlink -f "$JAVA")")/.." && pwd)}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x "$NGINX" ] || missing+=(nginx-light)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} with apt-get"
  [ "$(id -u)" -eq 0 ] || die "need root to install ${missing[*]} (or install them yourself)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

JAR=$REPO/target/rolemesh.jar
if [ ! -f "$JAR" ] || [ -n "$(find "$REPO/src/main" "$REPO/pom.xml" -newer "$JAR" -print -quit)" ]; then
  log "building $JAR"
  (cd "$REPO" && ./mvnw -q -B -ntp -DskipTests package >&2) || die "build failed"
fi
BENCH=("$JAVA" --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -jar "$JAR" bench)

write_report() {
  setups=(
    --setup "chat=wrk, 1 thread, $CHAT_CONNS connections, ${CHAT_S} s per round after a ${CHAT_WARM_S} s warm-up of each target; POST /v1/chat/completions, a small JSON body asking for 16 tokens, not streamed (bench/chat.lua). Latency percentiles are wrk's."
    --setup "streams=\`rolemesh bench streams\` (Vert.x, one connection per stream). Per-chunk delay = time the load generator read the chunk − the \`sim_sent_us\` stamp the simulator wrote into it (same clock; the simulator's clock starts on a whole millisecond, so delays carry a constant bias below 1 ms, the same for all three targets). A stream is complete when all tokens + 2 chunks and \`[DONE]\` arrived. Time to first chunk includes the TCP connect. Proxy peak RSS is VmHWM of the gateway JVM (nginx: its worker), reset before each round."
    --setup "cancel=\`rolemesh bench cancel\`: $CANCEL_TRIALS trials per mode and round, after one unrecorded warm-up trial. Before the first token: the simulator spends 5 s on the prompt, the client closes its connection after 150 ms. Mid-stream: a token every 40 ms, the client closes 13 ms after its third chunk. The delay is the simulator's \`last_cancel_epoch_ms\` (GET /sim/stats) − the close instant: millisecond resolution."
    --setup "coldstart=\`rolemesh bench coldstart\`: starts \`bin/rolemesh-gateway\` (pinned to the proxies' core like the gateway above, and again free to use both cores) and sends a non-streaming chat completion through it every millisecond until one is answered 200 by the simulator; idle RSS is VmRSS ${COLD_SETTLE_MS} ms later. ${AOT_NOTE}. On one core the JIT compiler threads take turns with start-up itself (with \`-Xint\` the start is about a quarter of a second shorter there); the launcher keeps the JVM's default compilation policy, which reaches full speed under load sooner."
  )
  noisy=()
  if [ -n "$NOISY" ]; then noisy=(--noisy --note "$NOISY"); fi
  "${BENCH[@]}" report --results "$RESULTS" --out "$OUT" --mode "$MODE" --rounds "$ROUNDS" \
    --date "$(date -u -r "$RESULTS" '+%Y-%m-%d %H:%M UTC')" --run-command "bench/run.sh${ARGS:+ $ARGS}" \
    --machine "$WORK/machine.txt" --commands "$COMMANDS" "${setups[@]}" "${noisy[@]}" >&2

}

if [ "$REPORT_ONLY" = 1 ]; then
  [ -s "$RESULTS" ] || die "no results in $RESULTS to report on"
  if grep -q '"target":"aot"' "$RESULTS"; then AOT_NOTE="AOT cache trained by bin/rolemesh-aot"; else AOT_NOTE="AOT cache not tried"; fi
  write_report
  echo "bench: report in ${OUT#$REPO/} from ${RESULTS#$REPO/}"
  exit 0
fi

rm -rf "${WORK:?}"/*
: > "$RESULTS"
: > "$COMMANDS"

# --- limits and cores -------------------------------------------------------------------------------------------
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
if [ "$BIG" -gt 0 ]; then
  # a proxy holds two sockets per stream (client and backend); keep some for its own files and idle upstream sockets
  FIT=$(( (NOFILE - 2000) / 2 / 100 * 100 ))
  if [ "$FIT" -lt "$BIG" ]; then
    log "open-file limit $NOFILE (hard) fits $FIT streams through a proxy, not $BIG: running $FIT"
    BIG=$FIT
  fi
fi
if [ "$(nproc)" -ge 2 ]; then
  PROXY_CPU=0; LOAD_CPU=1
  PINNING="gateway and nginx on CPU $PROXY_CPU; simulator, wrk and the load generator on CPU $LOAD_CPU (taskset)"
else
  PROXY_CPU=0; LOAD_CPU=0
  PINNING="single CPU: everything shares CPU 0"
fi
on_load_cpu() { taskset -c "$LOAD_CPU" "$@"; }

# --- processes --------------------------------------------------------------------------------------------------
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The process that does the work: $1 itself, or the child it left running (a shell that did not exec).
leaf_pid() {
  local pid=$1 child
  for _ in 1 2 3; do
    case "$(cat "/proc/$pid/comm" 2>/dev/null)" in java|nginx) break ;; esac
    child=$(pgrep -P "$pid" | head -1) || break
    [ -n "$child" ] || break
    pid=$child
  done
  echo "$pid"
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_http() { # wait_http URL PID NAME: until URL answers 200, or the process dies, or 60 s pass
  local i
  for i in $(seq 600); do
    if curl -sf -o /dev/null "$1"; then return 0; fi
    kill -0 "$2" 2>/dev/null || die "$3 exited; see its log in $WORK"
    sleep 0.1
  done
  die "$3 did not answer $1 within 60 s; see its log in $WORK"
}

SIMS=1
if [ "$BIG" -gt 0 ]; then SIMS=$(( (BIG + SIM_MAX_SLOTS - 1) / SIM_MAX_SLOTS )); fi
for port in $GW_PORT $NGINX_PORT $COLD_PORT $(seq $SIM_PORT0 $((SIM_PORT0 + SIMS - 1))); do
  port_free "$port" || die "port $port on 127.0.0.1 is in use"
done

SIM_SLOTS=1024
for k in $(seq 0 $((SIMS - 1))); do
  cmd=("$REPO/bin/rolemesh-sim" --host 127.0.0.1 --port $((SIM_PORT0 + k)) --stamp -np "$SIM_SLOTS" -c 8192)
  echo "taskset -c $LOAD_CPU ${cmd[*]#$REPO/}" >> "$COMMANDS"
  ROLEMESH_AOT=off taskset -c "$LOAD_CPU" "${cmd[@]}" > "$WORK/sim-$k.log" 2>&1 &   # taskset and the launcher exec: $! is the JVM
  PIDS+=($!)
  eval "SIM_PID_$k=$!"
done
for k in $(seq 0 $((SIMS - 1))); do
  pid_var=SIM_PID_$k
  wait_http "http://127.0.0.1:$((SIM_PORT0 + k))/health" "${!pid_var}" "simulator $k"
done

gateway_config() { # gateway_config PORT [METRICS]
  printf 'version: 1\ndefault_model: bench-0\ngateway:\n  host: 127.0.0.1\n  port: %s\n  metrics: %s\nauth:\n  client_api_keys: []\nmodels:\n' "$1" "${2:-true}"
  for k in $(seq 0 $((SIMS - 1))); do
    printf '  bench-%s:\n    type: proxy\n    proxy_url: http://127.0.0.1:%s\n' "$k" $((SIM_PORT0 + k))
  done
}
gateway_config $GW_PORT > "$WORK/gateway.yaml"
gateway_config $COLD_PORT > "$WORK/gateway-cold.yaml"
gateway_config $NOMETRICS_PORT false > "$WORK/gateway-nometrics.yaml"

start_gateway() { # start_gateway [NAME PORT]: sets GW_PID (or NOMETRICS_PID for gateway-nometrics)
  local name=${1:-gateway} port=${2:-$GW_PORT} pid
  local cmd=("$REPO/bin/rolemesh-gateway" --config "$WORK/$name.yaml")
  echo "taskset -c $PROXY_CPU ${cmd[*]#$REPO/}" >> "$COMMANDS"
  # without the AOT cache of an earlier run, so every run measures the same JVM
  JAVA_OPTS=${GATEWAY_JAVA_OPTS:-} ROLEMESH_AOT=off ROLE_MESH_STATE_DIR=$WORK/state-$name taskset -c "$PROXY_CPU" "${cmd[@]}" > "$WORK/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/health" "$pid" "$name"
  if [ "$name" = gateway ]; then GW_PID=$(leaf_pid "$pid"); else NOMETRICS_PID=$(leaf_pid "$pid"); fi
}

start_nginx() {
  local dir=$WORK/nginx upstreams="" map=""
  mkdir -p "$dir/tmp"
  for k in $(seq 0 $((SIMS - 1))); do
    upstreams+="  upstream sim$k { server 127.0.0.1:$((SIM_PORT0 + k)); keepalive 128; keepalive_requests 1000000; }"$'\n'
    map+="    $k sim$k;"$'\n'
  done
  cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile $NOFILE;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
  worker_connections $((NOFILE - 100));
  use epoll;
}
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 1000000;
$upstreams
  map \$http_x_bench_backend \$bench_upstream {
    default sim0;
$map  }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / {
      proxy_pass http://\$bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
EOF
  echo "taskset -c $PROXY_CPU nginx -p $dir -c $dir/nginx.conf -g 'daemon off;'   # nginx.conf: see $dir" >> "$COMMANDS"
  taskset -c "$PROXY_CPU" "$NGINX" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' > "$WORK/nginx.log" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_http "http://127.0.0.1:$NGINX_PORT/health" "$NGINX_PID" nginx
  NGINX_WORKER=$(pgrep -P "$(leaf_pid "$NGINX_PID")" | head -1)
}

start_gateway
case ",$TARGET_LIST," in *,gateway-nometrics,*) start_gateway gateway-nometrics $NOMETRICS_PORT ;; esac
start_nginx

SIM_URLS=""
for k in $(seq 0 $((SIMS - 1))); do SIM_URLS+="${SIM_URLS:+,}http://127.0.0.1:$((SIM_PORT0 + k))/v1/chat/completions"; done
url_of() { # url_of TARGET [all]: the chat completions URL(s) of a target
  case "$1" in
    direct) if [ "${2:-}" = all ]; then echo "$SIM_URLS"; else echo "http://127.0.0.1:$SIM_PORT0/v1/chat/completions"; fi ;;
    gateway) echo "http://127.0.0.1:$GW_PORT/v1/chat/completions" ;;
    gateway-nometrics) echo "http://127.0.0.1:$NOMETRICS_PORT/v1/chat/completions" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" ;;
  esac
}
rss_pid_of() {
  case "$1" in gateway) echo "$GW_PID" ;; gateway-nometrics) echo "$NOMETRICS_PID" ;; nginx) echo "$NGINX_WORKER" ;; *) echo "" ;; esac
}
IFS=, read -r -a TARGETS <<< "$TARGET_LIST"
STARTED=$(date +%s)
log "mode $MODE, $ROUNDS round(s), pinning: $PINNING, open files $NOFILE"

# --- (a) non-streaming chat with wrk ----------------------------------------------------------------------------
wrk_run() { # wrk_run TARGET SECONDS [ROUND]: prints wrk's summary line, appends a result when ROUND is given
  local target=$1 seconds=$2 round=${3:-} out line
  local cmd=(wrk -t1 -c"$CHAT_CONNS" -d"${seconds}s" --latency -s "$REPO/bench/chat.lua" "$(url_of "$target")")
  [ -n "$round" ] && echo "taskset -c $LOAD_CPU ${cmd[*]//$REPO\//}" >> "$COMMANDS"
  out=$(on_load_cpu "${cmd[@]}" 2>&1) || { log "wrk failed against $target: $out"; return 1; }
  line=$(grep '^BENCH ' <<< "$out" | sed 's/^BENCH //')
  [ -n "$line" ] || { log "wrk printed no summary against $target: $out"; return 1; }
  [ -z "$round" ] && return 0
  line=${line%\}},\"scenario\":\"chat\",\"target\":\"$target\",\"round\":$round,\"connections\":$CHAT_CONNS}
  echo "$line" | tee -a "$RESULTS" >&2
  grep -q '"errors":0,' <<< "$line" && ! grep -q '"requests":0,' <<< "$line"
}
wanted chat && log "(a) non-streaming chat: wrk -c$CHAT_CONNS, ${CHAT_S}s per round"
wanted chat && for target in "${TARGETS[@]}"; do wrk_run "$target" "$CHAT_WARM_S" || true; done
wanted chat && for round in $(seq "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    status=0; wrk_run "$target" "$CHAT_S" "$round" || status=$?
    check "chat $target round $round" $status
  done
done

# --- (b) concurrent SSE streams ---------------------------------------------------------------------------------
streams_run() { # streams_run TARGET ROUND STREAMS TOKENS DELAY BACKENDS RAMP TIMEOUT
  local target=$1 round=$2 urls rss
  if [ "$6" -gt 1 ]; then urls=$(url_of "$target" all); else urls=$(url_of "$target"); fi
  rss=$(rss_pid_of "$target")
  local cmd=("${BENCH[@]}" streams --target "$target" --round "$round" --out "${STREAM_OUT:-$RESULTS}" --url "$urls"
    --streams "$3" --tokens "$4" --token-delay-ms "$5" --backends "$6" --ramp "$7" --timeout-s "$8"
    --warmup "$STREAM_WARMUP" ${rss:+--rss-pid "$rss"})
  [ -n "${STREAM_OUT:-}" ] || echo "taskset -c $LOAD_CPU ${cmd[*]//$REPO\//}" | sed "s#--rss-pid $rss#--rss-pid PID#" >> "$COMMANDS"
  on_load_cpu "${cmd[@]}" 2>> "$WORK/bench-tool.log" >&2
}
SETS=("${STREAM_SETS[@]}")
if [ "$BIG" -gt 0 ]; then SETS+=("$BIG:50:1000"); fi
wanted streams || SETS=()
for set in "${SETS[@]}"; do
  IFS=: read -r n tokens delay <<< "$set"
  backends=1; ramp=2000; timeout=$(( tokens * delay / 1000 + 60 ))
  # more streams than one simulator holds: spread them, and open them slower than they last so all are open at once
  if [ "$n" -gt "$SIM_MAX_SLOTS" ]; then backends=$SIMS; ramp=500; timeout=$(( n / ramp + tokens * delay / 1000 + 120 )); fi
  log "(b) $n streams x $tokens tokens, one every $delay ms, over $backends simulator(s)"
  if [ "$set" = "${SETS[0]}" ]; then
    # one unrecorded round first: the gateway's streaming path must be compiled before it is measured
    for target in "${TARGETS[@]}"; do
      STREAM_OUT=$WORK/warmup.jsonl streams_run "$target" 0 "$n" "$tokens" "$delay" "$backends" "$ramp" "$timeout" || true
    done
  fi
  for round in $(seq "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
      status=0; streams_run "$target" "$round" "$n" "$tokens" "$delay" "$backends" "$ramp" "$timeout" || status=$?
      check "streams $n $target round $round" $status
    done
  done
done

# --- (c) cancellation -------------------------------------------------------------------------------------------
wanted cancel && log "(c) cancellation, before the first token and mid-stream: $CANCEL_TRIALS trials each"
wanted cancel && for round in $(seq "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    cmd=("${BENCH[@]}" cancel --target "$target" --round "$round" --out "$RESULTS" --url "$(url_of "$target")"
      --stats "http://127.0.0.1:$SIM_PORT0/sim/stats" --mode prompt,mid --trials "$CANCEL_TRIALS")
    echo "taskset -c $LOAD_CPU ${cmd[*]//$REPO\//}" >> "$COMMANDS"
    status=0; on_load_cpu "${cmd[@]}" 2>> "$WORK/bench-tool.log" >&2 || status=$?
    check "cancel $target round $round" $status
  done
done

# --- (d) cold start ---------------------------------------------------------------------------------------------
kill "$GW_PID" "$NGINX_PID" ${NOMETRICS_PID:-} 2>/dev/null || true
coldstart_run() { # coldstart_run VARIANT ROUND CPUS ENV...
  local variant=$1 round=$2 cpus=$3
  shift 3
  local envs=() e
  for e in "$@"; do envs+=(--env "$e"); done
  local cmd=("${BENCH[@]}" coldstart --target "$variant" --round "$round" --out "$RESULTS" --port "$COLD_PORT"
    --warm-port "$SIM_PORT0" --settle-ms "$COLD_SETTLE_MS" --log "$WORK/coldstart.log" \
    --env "ROLE_MESH_STATE_DIR=$WORK/state" "${envs[@]}"
    -- taskset -c "$cpus" "$REPO/bin/rolemesh-gateway" --config "$WORK/gateway-cold.yaml")
  echo "taskset -c $LOAD_CPU ${cmd[*]//$REPO\//}" >> "$COMMANDS"
  on_load_cpu "${cmd[@]}" 2>> "$WORK/bench-tool.log" >&2
}
AOT_NOTE="AOT cache not tried"
wanted coldstart || AOT=0
if [ "$AOT" = 1 ]; then
  if "$JAVA" -XX:AOTCacheOutput=/dev/null -version >/dev/null 2>&1; then
    log "(d) training the JDK AOT cache (bin/rolemesh-aot)"
    echo "bin/rolemesh-aot" >> "$COMMANDS"
    if ROLEMESH_AOT_PORT=$COLD_PORT ROLEMESH_AOT_SIM_PORT=$SIM_PORT0 ROLEMESH_AOT_EXTERNAL_SIM=1 \
        "$REPO/bin/rolemesh-aot" > "$WORK/aot-train.log" 2>&1; then
      AOT_NOTE="AOT cache trained by bin/rolemesh-aot"
    else
      log "AOT training failed (see $WORK/aot-train.log); cold start without it only"
      AOT=0; AOT_NOTE="AOT training failed"
    fi
  else
    AOT=0; AOT_NOTE="this JDK has no AOT cache (JDK 25+ needed)"
  fi
fi
wanted coldstart && log "(d) cold start: process start to first served request"
wanted coldstart && for round in $(seq "$ROUNDS"); do
  status=0; coldstart_run jit "$round" "$PROXY_CPU" ROLEMESH_AOT=off || status=$?
  check "coldstart jit round $round" $status
  if [ "$AOT" = 1 ]; then
    status=0; coldstart_run aot "$round" "$PROXY_CPU" || status=$?
    check "coldstart aot round $round" $status
    status=0; coldstart_run aot-2cpu "$round" "$PROXY_CPU,$LOAD_CPU" || status=$?
    check "coldstart aot-2cpu round $round" $status
  fi
done
cleanup

# --- report -----------------------------------------------------------------------------------------------------
{
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "JDK: $("$JAVA" -version 2>&1 | head -1)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //')"
  echo "wrk: $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
  echo "pinning: $PINNING"
  echo "open-file limit: $NOFILE"
  echo "load average before the run: $LOAD_BEFORE"
  echo "duration: $(( $(date +%s) - STARTED )) s"
} > "$WORK/machine.txt" 2>/dev/null || true
write_report
echo "bench: report in ${OUT#$REPO/}, raw results in ${RESULTS#$REPO/}"
echo "bench: scenarios: $PASSED ok, $FAILED broken"
[ "$FAILED" -eq 0 ]
