#!/usr/bin/env bash
# What metrics cost (issue 11's target: under 5% of non-streaming requests/s), measured paired: two gateways, one
# with gateway.metrics: true and one with false, share core 0 and are loaded at the same time by two wrk (one each)
# on core 1, so whatever else disturbs the machine disturbs both alike. Interleaved rounds (bench/run.sh --targets
# gateway,gateway-nometrics) compare two JVMs one after the other and vary by ±10% between rounds, too much to settle
# 5%. The backend is nginx answering a fixed chat completion (`return 200`), faster than the simulator, so the
# gateways' own work dominates. Prints each round's requests/s and the ratio, then the median ratio.
#   bench/metrics-cost.sh [--warmup 10] [--rounds 8] [--seconds 8]
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
WARMUP=10; ROUNDS=8; SECONDS_PER_ROUND=8
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) WARMUP=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECONDS_PER_ROUND=$2; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "bench/metrics-cost.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WORK=$REPO/target/bench/metrics-cost
BACKEND_PORT=18240
ON_PORT=18241
OFF_PORT=18242
mkdir -p "$WORK/tmp"
command -v wrk > /dev/null && command -v nginx > /dev/null \
  || { echo "bench/metrics-cost.sh: needs wrk and nginx (apt-get install wrk nginx)" >&2; exit 1; }
source "$REPO/bench/lib/processes.sh"

cat > "$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; use epoll; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$BACKEND_PORT;
    location / {
      default_type application/json;
      return 200 '{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there friend"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}';
    }
  }
}
EOF
taskset -c 1 nginx -p "$WORK" -c "$WORK/nginx.conf" -g 'daemon off;' > "$WORK/nginx.log" 2>&1 &
PIDS+=($!)
await "http://127.0.0.1:$BACKEND_PORT/health"

for variant in on off; do
  port=$([ $variant = on ] && echo $ON_PORT || echo $OFF_PORT)
  printf 'version: 1\ndefault_model: bench-0\ngateway:\n  host: 127.0.0.1\n  port: %s\n  metrics: %s\nmodels:\n  bench-0:\n    type: proxy\n    proxy_url: http://127.0.0.1:%s\n' \
    "$port" "$([ $variant = on ] && echo true || echo false)" "$BACKEND_PORT" > "$WORK/gateway-$variant.yaml"
  ROLEMESH_AOT=off ROLE_MESH_STATE_DIR=$WORK/state-$variant taskset -c 0 "$REPO/bin/rolemesh-gateway" \
    --config "$WORK/gateway-$variant.yaml" --log-format json > "$WORK/gateway-$variant.log" 2>&1 &
  PIDS+=($!)
done
await "http://127.0.0.1:$ON_PORT/health"
await "http://127.0.0.1:$OFF_PORT/health"

pair() { # pair SECONDS: both gateways at once; prints "on off"
  local url=/v1/chat/completions on off
  taskset -c 1 wrk -t1 -c64 -d"$1"s -s "$REPO/bench/chat.lua" "http://127.0.0.1:$ON_PORT$url" > "$WORK/wrk-on.txt" &
  on=$!
  taskset -c 1 wrk -t1 -c64 -d"$1"s -s "$REPO/bench/chat.lua" "http://127.0.0.1:$OFF_PORT$url" > "$WORK/wrk-off.txt" &
  off=$!
  wait "$on" "$off"
  echo "$(awk '/Requests\/sec/{print $2}' "$WORK/wrk-on.txt") $(awk '/Requests\/sec/{print $2}' "$WORK/wrk-off.txt")"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1 "$WARMUP"); do pair "$SECONDS_PER_ROUND" > /dev/null; done
echo "| round | metrics on req/s | metrics off req/s | on/off |"
echo "|---|---|---|---|"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  read -r on off < <(pair "$SECONDS_PER_ROUND")
  ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')
  ratios+=("$ratio")
  echo "| $round | $on | $off | $ratio |"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "median on/off: $median, metrics cost $(awk -v m="$median" 'BEGIN { printf "%.1f%%", (1 - m) * 100 }')"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
