-- wrk script for scenario (a): a small non-streaming chat completion, and one JSON summary line at the end.
wrk.method = "POST"
wrk.body = '{"model":"bench-0","messages":[{"role":"user","content":"Say hello in a few words."}],"max_tokens":16}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Bench-Backend"] = "0"

done = function(summary, latency, requests)
  local e = summary.errors
  local socket = e.connect + e.read + e.write
  io.write(string.format(
    'BENCH {"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"errors":%d,"socket_errors":%d,"status_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    socket + e.status + e.timeout, socket, e.status, e.timeout))
end
