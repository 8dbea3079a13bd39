#!/usr/bin/env bash
# Upload and download MiB/s of the sample against socat piping the same file over loopback TCP, and the peak RSS of
# each process. Not a test: run it by hand. Usage: samples/FileTransfer/bench.sh [SIZE_MIB] (default 1024).
set -euo pipefail
size_mib=${1:-1024}
work=$(mktemp -d); trap 'pkill -f "FileTransfer.dll serve --port 5099" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/root" "$work/client"
dotnet build "$(dirname "$0")" -c Release -o "$work/bin" >/dev/null
head -c $((size_mib * 1048576)) /dev/urandom > "$work/client/file.bin"
ft() { /usr/bin/time -f "%e %M" -o "$work/time" dotnet "$work/bin/FileTransfer.dll" "$@" >/dev/null; read -r secs rss < "$work/time"; }
rate() { awk -v m="$size_mib" -v s="$1" 'BEGIN { printf "%.0f MiB/s", m / s }'; }

/usr/bin/time -f "%M" -o "$work/server.rss" dotnet "$work/bin/FileTransfer.dll" serve --port 5099 --root "$work/root" >/dev/null &
sleep 2
cd "$work/client"
ft upload file.bin --port 5099; echo "SocketKit upload:   $(rate "$secs") (${secs} s, client peak RSS $((rss / 1024)) MiB; both ends hash SHA-256)"
ft download file.bin --port 5099 --out copy.bin; echo "SocketKit download: $(rate "$secs") (${secs} s, client peak RSS $((rss / 1024)) MiB; both ends hash SHA-256)"
pkill -TERM -f "^dotnet .*FileTransfer.dll serve --port 5099"; wait || true
echo "SocketKit server peak RSS: $(( $(cat "$work/server.rss") / 1024 )) MiB"

socat -u TCP-LISTEN:5098,reuseaddr "OPEN:$work/socat.out,creat,trunc" & sleep 0.5
start=$(date +%s.%N); socat -u "FILE:$work/client/file.bin" TCP:127.0.0.1:5098; wait
secs=$(echo "$(date +%s.%N) - $start" | bc); echo "socat pipe:         $(rate "$secs") (${secs} s; no hashing)"
