#!/usr/bin/env bash
# Fuzzes with AFL++ for SECONDS (default 60), outside the test suite:
#   fuzz/run.sh 600          SocketKit's framers and codecs; corpus in fuzz/corpus, crashes in fuzz/crashes
#   fuzz/run.sh 600 http     the HTTP sample's request and WebSocket parsers; fuzz/http/corpus and fuzz/http/crashes
# Builds the harness into a folder of its own and instruments that copy of SocketKit.dll (and HttpServer.dll) with
# SharpFuzz (never the build the tests use), runs afl-fuzz from the committed corpus, prints the executions, and adds
# what it learned to the corpus and any crash input to the crashes folder, where the tests replay them.
set -euo pipefail
seconds=${1:-60}
harness=${2:-core}
cd "$(dirname "$0")/.."
case "$harness" in
  core) corpus=fuzz/corpus; crashes_dir=fuzz/crashes; instrument=(SocketKit.dll) ;;
  http) corpus=fuzz/http/corpus; crashes_dir=fuzz/http/crashes; instrument=(SocketKit.dll HttpServer.dll) ;;
  *) echo "unknown harness: $harness (core or http)" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v afl-fuzz >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi

dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null
dotnet build fuzz/SocketKit.Fuzz -c Release -o "$work/bin" -nologo -v quiet
for assembly in "${instrument[@]}"; do
  "$work/tools/sharpfuzz" "$work/bin/$assembly"
done

# -V ends the campaign after SECONDS; AFL_NO_UI keeps the log readable; the .NET host needs no memory limit.
AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -i "$corpus" -o "$work/findings" -m none -t 5000 -V "$seconds" -- dotnet "$work/bin/SocketKit.Fuzz.dll" "$harness" || true

stats="$work/findings/default/fuzzer_stats"
if [ -f "$stats" ]; then
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs)' "$stats"
fi

# Keep what the campaign learned: new queue entries join the corpus the tests replay.
learned=0
for entry in "$work"/findings/default/queue/id*; do
  [ -e "$entry" ] || continue
  case "$entry" in *orig:*) continue ;; esac
  cp "$entry" "$corpus/afl-$(sha1sum "$entry" | cut -c1-12)"
  learned=$((learned + 1))
done
echo "corpus entries added to $corpus: $learned"

crashes=0
for crash in "$work"/findings/default/crashes/id*; do
  [ -e "$crash" ] || continue
  mkdir -p "$crashes_dir"
  cp "$crash" "$crashes_dir/$(basename "$crash" | tr ':,' '__')"
  crashes=$((crashes + 1))
done
echo "crash inputs saved to $crashes_dir: $crashes"
