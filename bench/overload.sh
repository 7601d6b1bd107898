#!/usr/bin/env bash
# The admission queue under overload (issue 15): one simulated llama-server with 4 slots behind a proxy role with
# max_concurrent: 4, driven by twice as many clients as slots. Run 1: queue.max_wait_s 30 and room for everyone
# waiting: every request should be answered (0 failed, 0 refused) and the wait shows in queue_ms. Run 2: the same
# load with queue.max_waiting 2: the overflow gets 503 + Retry-After, and how fast it gets it is measured.
# Prints a Markdown table; JSON lines go to target/bench/overload.jsonl.
#   bench/overload.sh [--clients 8] [--requests 200] [--prompt-delay-ms 100]
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
CLIENTS=8; REQUESTS=200; PROMPT_MS=100
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --prompt-delay-ms) PROMPT_MS=$2; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "bench/overload.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WORK=$REPO/target/bench
OUT=$WORK/overload.jsonl
SIM_PORT=18220
GW_PORT=18221
mkdir -p "$WORK"
: > "$OUT"
source "$REPO/bench/lib/processes.sh"

cat > "$WORK/overload-gateway.yaml" <<YAML
version: 1
gateway: {host: 127.0.0.1, port: $GW_PORT}
models:
  patient: {type: proxy, proxy_url: http://127.0.0.1:$SIM_PORT, max_concurrent: 4,
            queue: {max_waiting: 256, max_wait_s: 30}}
  strict: {type: proxy, proxy_url: http://127.0.0.1:$SIM_PORT, max_concurrent: 4, queue: {max_waiting: 2}}
YAML

"$REPO/bin/rolemesh-sim" --host 127.0.0.1 --port $SIM_PORT -np 4 --prompt-delay-ms "$PROMPT_MS" \
  > "$WORK/overload-sim.log" 2>&1 &
PIDS+=($!)
ROLEMESH_LOG_FORMAT=json "$REPO/bin/rolemesh-gateway" --config "$WORK/overload-gateway.yaml" \
  > "$WORK/overload-gateway.log" 2>&1 &
PIDS+=($!)
await "http://127.0.0.1:$SIM_PORT/health"
await "http://127.0.0.1:$GW_PORT/health"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for model in patient strict; do
  extra=()
  [ "$model" = strict ] && extra=(--expect-refusals)
  "$REPO/bin/rolemesh" bench overload --target "$model" --out "$OUT" --url "http://127.0.0.1:$GW_PORT/v1/chat/completions" \
    --model "$model" --clients "$CLIENTS" --requests "$REQUESTS" "${extra[@]}" > /dev/null || true
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
sleep 0.5 # the gateway's log thread writes the last access lines within a few ms

# queue_ms per model from the gateway's access lines; a request that never queued waited 0
queue_p() { # model percentile
  grep '"event":"request"' "$WORK/overload-gateway.log" | grep "\"alias\":\"$1\"" \
    | sed -n 's/.*"queue_ms":\([0-9.]*\).*/\1/p;t;s/.*/0/p' | sort -g \
    | awk -v p="$2" '{v[NR] = $1} END { if (NR == 0) { print "-"; exit } r = int(p / 100 * NR + 0.9999); if (r < 1) r = 1; printf "%.0f", v[r] }'
}

# the gateway's own time to a 503: the access lines' duration_ms, from the first byte of the request to the answer
refusal_p() { # model percentile
  grep '"event":"request"' "$WORK/overload-gateway.log" | grep "\"alias\":\"$1\"" | grep '"status":503' \
    | sed -n 's/.*"duration_ms":\([0-9.]*\).*/\1/p' | sort -g \
    | awk -v p="$2" '{v[NR] = $1} END { if (NR == 0) { print "-"; exit } r = int(p / 100 * NR + 0.9999); if (r < 1) r = 1; print v[r] }'
}

echo "load average before/after: $load_before / $load_after"
echo "| queue | clients (slots: 4) | requests | answered | 503 + Retry-After | failed | queue wait p50 / p99 ms | 503 at the client p50 / p99 / max ms | 503 in the gateway p50 / p99 / max ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for model in patient strict; do
  line=$(grep "\"target\":\"$model\"" "$OUT")
  field() { echo "$line" | sed -n "s/.*\"$1\":\([0-9.]*\|null\).*/\1/p"; }
  case "$model" in patient) q="max_waiting 256, max_wait_s 30" ;; strict) q="max_waiting 2" ;; esac
  echo "| $q | $CLIENTS | $(field requests) | $(field answered) | $(field refused) | $(field failed) |" \
    "$(queue_p "$model" 50) / $(queue_p "$model" 99) | $(field refused_p50_ms) / $(field refused_p99_ms) / $(field refused_max_ms) |" \
    "$(refusal_p "$model" 50) / $(refusal_p "$model" 99) / $(refusal_p "$model" 100) |"
done
