#!/usr/bin/env bash
# Hunts flaky tests: runs the whole suite RUNS times under load and reports every run.
#
#   tests/stress.sh RUNS [busy|pinned|both]
#
#   busy    both cores kept busy by Debian's stress-ng --cpu 2 (installed with apt-get if missing; a shell busy loop per
#           core where it cannot be), so every test competes for the CPU
#   pinned  the test processes pinned to one core (taskset -c 0), so nothing runs truly in parallel
#   both    RUNS runs busy, then RUNS runs pinned (the default)
#
# The suite is built once, then each run is `dotnet test --no-build`. Every run's log is kept under
# $STRESS_LOGS (default: a new folder in /tmp); a failed run's failing tests are printed. The script exits 0 only if
# every run passed, so `tests/stress.sh 10` succeeding means 10 consecutive full runs passed in each condition.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:?usage: tests/stress.sh RUNS [busy|pinned|both]}
mode=${2:-both}
case "$mode" in busy|pinned|both) ;; *) echo "unknown condition '$mode' (busy, pinned or both)" >&2; exit 2 ;; esac
logs=${STRESS_LOGS:-$(mktemp -d /tmp/socketkit-stress.XXXXXX)}
mkdir -p "$logs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ "$mode" != pinned ] && ! command -v stress-ng >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null
fi

echo "building once..."
dotnet build SocketKit.sln 2>&1 | tail -n 3 | grep -qE '^\s*0 Error' || { echo "the build failed" >&2; exit 1; }

load_pid=""
start_load() {
  if command -v stress-ng >/dev/null 2>&1; then
    stress-ng --cpu 2 --quiet & load_pid=$!
  else
    # One busy loop per core, in a process group of its own so it is stopped whole.
    setsid bash -c 'for _ in 1 2; do while :; do :; done & done; wait' & load_pid=$!
  fi
}
stop_load() {
  [ -n "$load_pid" ] || return 0
  kill -TERM -- "-$load_pid" 2>/dev/null || kill -TERM "$load_pid" 2>/dev/null
  wait "$load_pid" 2>/dev/null; load_pid=""
}
trap stop_load EXIT
trap 'exit 130' INT TERM # the EXIT trap then stops the load

count() { grep -E "^\s*$1: [0-9]+" "$2" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }

failures=0
run_condition() {
  local condition=$1 i log started status
  for i in $(seq 1 "$runs"); do
    log="$logs/$condition-$i.log"
    started=$SECONDS
    if [ "$condition" = busy ]; then
      start_load
      dotnet test --no-build >"$log" 2>&1; status=$?
      stop_load
    else
      taskset -c 0 dotnet test --no-build >"$log" 2>&1; status=$?
    fi
    printf '%s run %d/%d: %s passed, %s failed, %s skipped in %d s\n' "$condition" "$i" "$runs" \
      "$(count succeeded "$log")" "$(count failed "$log")" "$(count skipped "$log")" $((SECONDS - started))
    if [ "$status" -ne 0 ]; then
      failures=$((failures + 1))
      grep -E '^\s*failed [A-Za-z]' "$log" | sed 's/^/    /'
      [ "$(count total "$log")" -eq 0 ] && tail -n 20 "$log" | sed 's/^/    /'
    fi
  done
}

[ "$mode" = pinned ] || run_condition busy
[ "$mode" = busy ] || run_condition pinned
echo "logs: $logs"
if [ "$failures" -eq 0 ]; then echo "every run passed"; else echo "$failures run(s) failed"; exit 1; fi
