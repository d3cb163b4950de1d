#!/usr/bin/env bash
# Profiles of the portal server under the benchmark loads (run ./run.sh first: it builds and
# generates the data set).
#
#   Benchmarks/Portal/profile.sh [--data DIR] [--what file,get,dashboard] [--tool callgrind,perf] [--secs 5]
#
# callgrind: `portal-bench serve` under `valgrind --tool=callgrind --instr-atstart=no`; the client
#   warms up, then instrumentation is switched on (callgrind_control -i on) for the measured
#   part only. Operations counted from the server's own STORE counters (writes for file, reads
#   / 2 for get: one read for the session, one for the complaint). Output: Ir per operation
#   and `callgrind_annotate --inclusive=yes` top entries.
# perf: `perf record -e cpu-clock -g` on the serve process (normal speed) for --secs during
#   the load; `perf report` by symbol, self and children, and by shared object.
# file runs on a fresh copy of DIR. Output in $SCRATCH/profiles/<time>/.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRATCH=${SCRATCH:-$ROOT/.build-bench-portal}
DATA=$SCRATCH/data-1m WHAT="file,get,dashboard" TOOLS="callgrind,perf" SECS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --what) WHAT=$2; shift 2 ;;
    --tool) TOOLS=$2; shift 2 ;;
    --secs) SECS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN=${BIN:-$SCRATCH/release/portal-bench}   # BIN=... profiles another build of portal-bench
OUT=$SCRATCH/profiles/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
echo "profiles in $OUT; load $(cut -d' ' -f1-3 /proc/loadavg)"

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start_server LOG DIR [wrapper...]: sets PORT and SPID (the serve process itself).
start_server() {
  local log=$1 dir=$2; shift 2
  "$@" "$BIN" serve --data "$dir" --sync normal > "$log" 2>&1 &
  SPID=$!
  PIDS+=("$SPID")
  for _ in $(seq 1800); do
    if grep -q '^LISTENING' "$log" 2>/dev/null; then break; fi
    if ! kill -0 "$SPID" 2>/dev/null; then cat "$log"; echo "server died" >&2; exit 1; fi
    sleep 0.1
  done
  PORT=$(awk '/^LISTENING/ {print $2; exit}' "$log")
}
stop_server() { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; }
# The client prints its "<what>: ..." line once its sign-ins (yescrypt) are done.
wait_for_client() {
  for _ in $(seq 3000); do
    grep -qE '^(file|get|dashboard):' "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "client did not start: $(cat "$1")" >&2; exit 1
}
counter() { grep '^STORE' "$1" | tail -1 | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

# client WHAT DIR SECONDS CALLS CITIZENS: the load for one profile (long enough to cover warm-up
# and the profiled part).
client() {
  case "$1" in
    file) exec "$BIN" file --data "$2" --port "$PORT" --seconds "$3" --warmup 1 --connections 8 --inflight 32 --citizens "$5" ;;
    get) exec "$BIN" get --data "$2" --port "$PORT" --calls "$4" --warmup 200 --callers 4 ;;
    dashboard) exec "$BIN" dashboard --data "$2" --port "$PORT" --calls "$4" --warmup 1 ;;
  esac
}

for what in ${WHAT//,/ }; do
  dir=$DATA
  if [ "$what" = file ]; then rm -rf "$SCRATCH/work-profile"; cp -r "$DATA" "$SCRATCH/work-profile"; dir=$SCRATCH/work-profile; fi
  if [[ ,$TOOLS, == *,perf,* ]]; then
    echo "== perf: $what"
    start_server "$OUT/perf-$what.server" "$dir"
    client "$what" "$dir" $((SECS + 3)) 400000 64 > "$OUT/perf-$what.client" 2>&1 &
    CPID=$!
    wait_for_client "$OUT/perf-$what.client"
    sleep 2
    perf record -e cpu-clock -F 999 -g -p "$SPID" -o "$OUT/perf-$what.data" -- sleep "$SECS" > /dev/null 2>&1 || true
    kill "$CPID" 2>/dev/null || true; wait "$CPID" 2>/dev/null || true
    stop_server
    perf report -i "$OUT/perf-$what.data" --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' > "$OUT/perf-$what.dso.txt" || true
    perf report -i "$OUT/perf-$what.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' > "$OUT/perf-$what.self.txt" || true
    perf report -i "$OUT/perf-$what.data" --children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' > "$OUT/perf-$what.children.txt" || true
    sed -n 1,12p "$OUT/perf-$what.dso.txt"; sed -n 1,25p "$OUT/perf-$what.self.txt"
  fi
  if [[ ,$TOOLS, == *,callgrind,* ]]; then
    echo "== callgrind: $what"
    [ "$what" = file ] && { rm -rf "$SCRATCH/work-profile"; cp -r "$DATA" "$SCRATCH/work-profile"; }
    cg=$OUT/callgrind-$what.out
    start_server "$OUT/callgrind-$what.server" "$dir" valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$cg"
    # Under valgrind the server runs ~50x slower: a long client run, instrumentation for part of it.
    client "$what" "$dir" 3600 2000000 8 > "$OUT/callgrind-$what.client" 2>&1 &
    CPID=$!
    wait_for_client "$OUT/callgrind-$what.client"
    sleep 15   # warm-up, uninstrumented
    w0=$(counter "$OUT/callgrind-$what.server" writes); r0=$(counter "$OUT/callgrind-$what.server" reads)
    callgrind_control -i on "$SPID" > /dev/null
    sleep $((SECS * 6))
    callgrind_control -i off "$SPID" > /dev/null
    sleep 1
    w1=$(counter "$OUT/callgrind-$what.server" writes); r1=$(counter "$OUT/callgrind-$what.server" reads)
    callgrind_control -d "$SPID" > /dev/null
    kill "$CPID" 2>/dev/null || true; wait "$CPID" 2>/dev/null || true
    stop_server
    f=$cg.1   # the dump taken right after instrumentation was switched off
    total=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ && !t {gsub(",", "", $1); t = $1} END {print t}' || true)
    case "$what" in
      file) ops=$((w1 - w0)); unit="FileComplaint (store writes)" ;;
      get) ops=$(((r1 - r0) / 2)); unit="GetComplaint (store reads / 2)" ;;
      dashboard) ops=$(((r1 - r0) / 2)); unit="GetDashboard (store reads / 2)" ;;
    esac
    echo "CALLGRIND what=$what total_ir=$total ops=$ops ir_per_op=$(( ops > 0 ? total / ops : 0 )) ($unit)" | tee "$OUT/callgrind-$what.summary"
    callgrind_annotate --inclusive=yes "$f" 2>/dev/null > "$OUT/callgrind-$what.inclusive.txt" || true
    callgrind_annotate "$f" 2>/dev/null > "$OUT/callgrind-$what.self.txt" || true
  fi
  [ "$what" = file ] && rm -rf "$SCRATCH/work-profile"
done
echo "done: $OUT"
