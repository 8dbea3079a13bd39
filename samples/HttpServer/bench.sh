#!/usr/bin/env bash
# wrk against GET /plaintext with keep-alive: this sample against a minimal Kestrel app serving the same response,
# each server in its own process pinned to core 0 (taskset), wrk pinned to core 1, runs interleaved. Reports requests/s,
# p50/p99 latency and the server's CPU per request (from /proc over the measured window), and the ratios to Kestrel.
# Not a test: run it by hand. Usage: samples/HttpServer/bench.sh [RUNS] [SECONDS] [CONNECTIONS]   (default 3 10 64)
set -euo pipefail
runs=${1:-3}; seconds=${2:-10}; connections=${3:-64}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
dotnet build samples/HttpServer -c Release -o "$work/http" -nologo -v quiet >/dev/null
dotnet build tests/SocketKit.Benchmarks -c Release -o "$work/bench" -nologo -v quiet >/dev/null

# Each server on core 0. The Kestrel host reads stdin until it ends: a FIFO this script holds open gives it one.
taskset -c 0 dotnet "$work/http/HttpServer.dll" --port 5180 --root "$work" </dev/null >/dev/null & pids+=($!); socketkit=$!
mkfifo "$work/stdin"
BENCH_PORT=5181 taskset -c 0 dotnet "$work/bench/SocketKit.Benchmarks.dll" serve kestrel-http <"$work/stdin" >/dev/null & pids+=($!); kestrel=$!
exec 3>"$work/stdin"
sleep 3
declare -A port=([socketkit]=5180 [kestrel]=5181) pid=([socketkit]=$socketkit [kestrel]=$kestrel)
curl -sf "http://127.0.0.1:5180/plaintext" >/dev/null && curl -sf "http://127.0.0.1:5181/plaintext" >/dev/null

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
micros() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v + 0; else if (v ~ /ms$/) print (v + 0) * 1000; else print (v + 0) * 1000000 }'; }

echo "| run | server | requests/s | p50 µs | p99 µs | server CPU µs/request |"
echo "|---|---|---|---|---|---|"
for run in $(seq 1 "$runs"); do
  for server in socketkit kestrel; do
    url="http://127.0.0.1:${port[$server]}/plaintext"
    taskset -c 1 wrk -t1 -c"$connections" -d10s "$url" >/dev/null # warm-up: tiered JIT reaches tier 1, pools fill
    before=$(cpu_ticks "${pid[$server]}")
    out=$(taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" --latency "$url")
    after=$(cpu_ticks "${pid[$server]}")
    rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    p50=$(micros "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    p99=$(micros "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    cpu=$(awk -v t=$((after - before)) -v n="$requests" 'BEGIN { printf "%.2f", t * 10000 / n }') # 100 ticks/s
    echo "| $run | $server | $rps | $p50 | $p99 | $cpu |"
    echo "$server $rps $p50 $p99 $cpu" >> "$work/results"
  done
done

echo
awk '{ n[$1]++; rps[$1] += $2; p50[$1] += $3; p99[$1] += $4; cpu[$1] += $5 }
  END {
    printf "mean of %d runs: SocketKit %.0f req/s, %.2f µs CPU/request; Kestrel %.0f req/s, %.2f µs CPU/request\n", n["socketkit"], rps["socketkit"] / n["socketkit"], cpu["socketkit"] / n["socketkit"], rps["kestrel"] / n["kestrel"], cpu["kestrel"] / n["kestrel"]
    printf "ratios to Kestrel: requests/s %.2fx, CPU/request %.2fx, p50 %.2fx, p99 %.2fx\n", rps["socketkit"] / rps["kestrel"], cpu["socketkit"] / cpu["kestrel"], p50["socketkit"] / p50["kestrel"], p99["socketkit"] / p99["kestrel"]
  }' "$work/results"
