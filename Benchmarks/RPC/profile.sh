#!/usr/bin/env bash
# Instruction profiles (valgrind --tool=callgrind) of our RPC runtime, for finding hot spots:
#   1. the portal-echo server, unary Get, 16 connections x 16 in flight (driven by the C
#      protocol client c-portal/portal_load, so only the server runs under valgrind);
#   2. the portal-echo server, server streaming (Expand, 10,000 messages per call, 1 connection);
#   3. the portal-echo client (RPCClient), unary 16 x 16, against a native portal-echo server.
# Prints instructions per call (or per streamed message) and the top functions; the raw
# callgrind.out files are left in $SCRATCH/profile/ for callgrind_annotate / kcachegrind.
# Instruction counts do not depend on the machine's load. Needs run.sh's build first.
#
#   Benchmarks/RPC/profile.sh [--secs T]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRATCH=${SCRATCH:-$ROOT/.build-rpcbench}
BIN=$SCRATCH/release CBIN=$SCRATCH/c-bin OUT=$SCRATCH/profile
SECS=10
[ "${1:-}" = --secs ] && SECS=$2
mkdir -p "$OUT"
rm -f "$OUT"/callgrind.*
command -v valgrind > /dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
[ -x "$BIN/portal-echo" ] && [ -x "$CBIN/portal_load" ] || { echo "run ./run.sh first (it builds)"; exit 1; }

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_listening() {  # file pid -> sets PORT
  for _ in $(seq 600); do
    grep -q '^LISTENING' "$1" 2>/dev/null && break
    kill -0 "$2" 2>/dev/null || { cat "$1"; exit 1; }
    sleep 0.1
  done
  PORT=$(awk '/^LISTENING/ {print $2; exit}' "$1")
}

# Top functions by inclusive cost that live in our sources, and the total.
summarize() {  # callgrind-file units-of-work label
  local f=$1 n=$2 label=$3
  set +o pipefail
  local total
  total=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
  echo "-- $label: $total instructions / $n = $(awk -v t="$total" -v n="$n" 'BEGIN {printf "%.0f", t / n}') per unit"
  echo "   top functions (inclusive, instructions per unit):"
  callgrind_annotate --inclusive=yes --auto=no "$f" 2>/dev/null \
    | awk -v n="$n" '$0 ~ /Sources\/Portal(RPC|Wire)|Benchmarks\/RPC/ {
        c = $1; gsub(",", "", c); sub(/ \[.*$/, ""); sub(/^ *[0-9,]+ \( *[0-9.]+%\) */, "");
        printf "   %8.0f  %s\n", c / n, substr($0, 1, 200) }' | head -25
  set -o pipefail
}

echo "== 1. server, unary Get, 16 x 16 (C protocol client)"
rm -f "$OUT"/callgrind.server-unary.*
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/callgrind.server-unary.%p" \
  "$BIN/portal-echo" server --port 0 > "$OUT/server-unary.log" 2>&1 &
SPID=$!; PIDS+=("$SPID")
wait_listening "$OUT/server-unary.log" "$SPID"
"$CBIN/portal_load" -p "$PORT" -c 16 -d 16 -t 1 -w 0 > /dev/null   # warm up, not collected
callgrind_control -i on "$SPID" > /dev/null
res=$("$CBIN/portal_load" -p "$PORT" -c 16 -d 16 -t "$SECS" -w 0); echo "$res"
callgrind_control -i off "$SPID" > /dev/null
kill "$SPID"; wait "$SPID" 2>/dev/null || true
calls=$(sed -n 's/.*calls=\([0-9]*\).*/\1/p' <<< "$res")
summarize "$(ls "$OUT"/callgrind.server-unary.* | head -1)" "$calls" "server, per unary call"

echo
echo "== 2. server, server streaming (Expand x 10000), 1 connection (C protocol client)"
rm -f "$OUT"/callgrind.server-stream.*
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/callgrind.server-stream.%p" \
  "$BIN/portal-echo" server --port 0 > "$OUT/server-stream.log" 2>&1 &
SPID=$!; PIDS+=("$SPID")
wait_listening "$OUT/server-stream.log" "$SPID"
"$CBIN/portal_load" -p "$PORT" -m stream -k 10000 -t 1 -w 0 > /dev/null
callgrind_control -i on "$SPID" > /dev/null
res=$("$CBIN/portal_load" -p "$PORT" -m stream -k 10000 -t "$SECS" -w 0); echo "$res"
callgrind_control -i off "$SPID" > /dev/null
kill "$SPID"; wait "$SPID" 2>/dev/null || true
msgs=$(sed -n 's/.*calls=\([0-9]*\).*/\1/p' <<< "$res")
summarize "$(ls "$OUT"/callgrind.server-stream.* | head -1)" "$msgs" "server, per streamed message"

echo
echo "== 3. client (RPCClient), unary Get, 16 x 16, against a native server"
"$BIN/portal-echo" server --port 0 > "$OUT/native-server.log" 2>&1 &
SPID=$!; PIDS+=("$SPID")
wait_listening "$OUT/native-server.log" "$SPID"
rm -f "$OUT"/callgrind.client-unary.*
res=$(valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.client-unary.%p" \
  "$BIN/portal-echo" client --port "$PORT" --conns 16 --depth 16 --secs "$SECS" --warmup 0 2> "$OUT/client-unary.log")
echo "$res"
kill "$SPID"
calls=$(sed -n 's/.*calls=\([0-9]*\).*/\1/p' <<< "$res")
summarize "$(ls "$OUT"/callgrind.client-unary.* | head -1)" "$calls" "client, per unary call (includes process start-up)"
echo
echo "callgrind files: $OUT (callgrind_annotate --inclusive=yes --auto=yes FILE for per-line costs)"
