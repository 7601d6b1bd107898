#!/usr/bin/env bash
# The multi-turn agent scenario of issue 15: 3 simulated llama-server nodes (-np 4, each slot keeping its last prompt,
# --prompt-ms-per-token for every prompt token not in the slot), one gateway with a discovered alias per strategy,
# and a session-sticky oracle that sends each session straight to one node. For each: prompt reuse
# (cached_tokens / prompt_tokens), time to first token and, through the gateway, the p99 of the time requests waited in
# the role's admission queue (the access log's queue_ms; a request that never queued waited 0; the queue engages only
# when every node's 4 slots are busy, so raise --concurrency above 12 to see it). Prints a Markdown table; JSON lines
# go to target/bench/agent.jsonl.
#   bench/agent.sh [--sessions 10] [--turns 6] [--concurrency 5] [--prompt-ms-per-token 0.1] [--rounds 1]
#                  [--port-base 18200]  (simulators on it and the next two ports, the gateway 10 above)
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
SESSIONS=10; TURNS=6; CONCURRENCY=5; PROMPT_MS=0.1; TOKEN_MS=5; ROUNDS=1; PORT_BASE=18200
while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) SESSIONS=$2; shift ;;
    --turns) TURNS=$2; shift ;;
    --concurrency) CONCURRENCY=$2; shift ;;
    --prompt-ms-per-token) PROMPT_MS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --port-base) PORT_BASE=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bench/agent.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WORK=$REPO/target/bench
OUT=$WORK/agent.jsonl
QUEUE=$WORK/agent-queue.txt
SIM_PORT0=$PORT_BASE
GW_PORT=$((PORT_BASE + 10))
NODE_KEY=bench-node-key
mkdir -p "$WORK"
: > "$OUT"
: > "$QUEUE"
source "$REPO/bench/lib/processes.sh"

STRATEGIES=(round_robin random least_busy cache_affinity)
{
  echo "version: 1"
  echo "gateway: {host: 127.0.0.1, port: $GW_PORT}"
  echo "auth: {node_api_keys: [$NODE_KEY]}"
  echo "models:"
  for s in "${STRATEGIES[@]}"; do echo "  agent-$s: {type: discovered, role: agent, strategy: $s}"; done
} > "$WORK/agent-gateway.yaml"

for round in $(seq 1 "$ROUNDS"); do
  # fresh nodes each round, so no strategy starts on caches another one warmed
  for target in oracle "${STRATEGIES[@]}"; do
    for k in 0 1 2; do
      "$REPO/bin/rolemesh-sim" --host 127.0.0.1 --port $((SIM_PORT0 + k)) -np 4 -c 16384 \
        --prompt-ms-per-token "$PROMPT_MS" --token-delay-ms "$TOKEN_MS" > "$WORK/agent-sim-$k.log" 2>&1 &
      PIDS+=($!)
    done
    "$REPO/bin/rolemesh-gateway" --config "$WORK/agent-gateway.yaml" > "$WORK/agent-gateway.log" 2>&1 &
    PIDS+=($!)
    for k in 0 1 2; do await "http://127.0.0.1:$((SIM_PORT0 + k))/health"; done
    await "http://127.0.0.1:$GW_PORT/health"
    for k in 0 1 2; do
      curl -sf -o /dev/null -H "X-RoleMesh-Node-Key: $NODE_KEY" -H 'Content-Type: application/json' \
        -d "{\"node_id\":\"node-$k\",\"base_url\":\"http://127.0.0.1:$((SIM_PORT0 + k))\",\"served_models\":[{\"model_id\":\"m\",\"roles\":[\"agent\"],\"meta\":{\"parallel\":4}}]}" \
        "http://127.0.0.1:$GW_PORT/v1/nodes/register"
    done
    if [ "$target" = oracle ]; then
      urls="http://127.0.0.1:$SIM_PORT0/v1/chat/completions,http://127.0.0.1:$((SIM_PORT0 + 1))/v1/chat/completions,http://127.0.0.1:$((SIM_PORT0 + 2))/v1/chat/completions"
    else
      urls="http://127.0.0.1:$GW_PORT/v1/chat/completions"
    fi
    "$REPO/bin/rolemesh" bench agent --target "$target" --round "$round" --out "$OUT" --url "$urls" \
      --model "agent-$target" --sessions "$SESSIONS" --turns "$TURNS" --concurrency "$CONCURRENCY" > /dev/null \
      || true # a failed request is counted in the table, not a reason to stop
    if [ "$target" != oracle ]; then
      sleep 0.5 # the gateway's log thread writes the last access lines within a few ms
      grep '"event":"request"' "$WORK/agent-gateway.log" | grep "\"alias\":\"agent-$target\"" \
        | sed -n 's/.*"queue_ms":\([0-9.]*\).*/\1/p;t;s/.*/0/p' | sort -g \
        | awk -v t="$target" '{v[NR] = $1} END { r = int(0.99 * NR + 0.9999); if (r < 1) r = 1; print t, v[r] + 0 }' \
        >> "$QUEUE"
    fi
    cleanup
    PIDS=()
  done
done

oracle_uncached=$(grep '"target":"oracle"' "$OUT" | sed 's/.*"uncached_tokens":\([0-9]*\).*/\1/' | awk '{s+=$1} END {print s}')
oracle_reuse=$(grep '"target":"oracle"' "$OUT" | sed 's/.*"reuse":\([0-9.]*\).*/\1/' | awk '{s+=$1; n++} END {print s/n}')
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| strategy | prompt reuse | of oracle's reuse | prompt compute vs oracle | TTFT p50 ms | TTFT p99 ms | queue wait p99 ms | failed |"
echo "|---|---|---|---|---|---|---|---|"
for target in oracle "${STRATEGIES[@]}"; do
  qp99=$(awk -v t="$target" '$1 == t {s += $2; n++} END { if (n) printf "%.0f", s / n; else print "–" }' "$QUEUE")
  grep "\"target\":\"$target\"" "$OUT" | awk -v t="$target" -v ou="$oracle_uncached" -v orr="$oracle_reuse" -v q="$qp99" '
    { match($0, /"reuse":[0-9.]+/); r += substr($0, RSTART + 8, RLENGTH - 8)
      match($0, /"uncached_tokens":[0-9]+/); u += substr($0, RSTART + 18, RLENGTH - 18)
      match($0, /"ttft_p50_ms":[0-9.]+/); p50 += substr($0, RSTART + 14, RLENGTH - 14)
      match($0, /"ttft_p99_ms":[0-9.]+/); p99 += substr($0, RSTART + 14, RLENGTH - 14)
      match($0, /"failed":[0-9]+/); f += substr($0, RSTART + 9, RLENGTH - 9); n++ }
    END { printf "| %s | %.0f%% | %.0f%% | %.2f× | %.0f | %.0f | %s | %d |\n", (t == "oracle" ? "sticky oracle" : t),
      100 * r / n, 100 * (r / n) / orr, u / ou, p50 / n, p99 / n, q, f }'
done
