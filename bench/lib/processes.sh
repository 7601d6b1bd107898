# Shared by the bench scripts that start their own simulators and gateways (agent.sh, overload.sh, metrics-cost.sh):
# build once, track what was started, stop it all on exit, wait for a health URL. Source it after REPO is set.

# Builds target/rolemesh.jar once, here, when it is missing or older than the sources: the launchers the script
# starts in parallel would each rebuild a stale jar at the same time, and those builds fail.
"$REPO/bin/rolemesh" --version > /dev/null

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

await() { # url
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench/$(basename "$0"): $1 did not come up" >&2; exit 1
}
