#!/usr/bin/env bash
# Portal benchmark driver (issue 4): release builds, then REPS repetitions of every measurement,
# then medians with their spread.
#
#   Benchmarks/Portal/run.sh [--reps 3] [--secs 10] [--dash-calls 10] [--skip-build] [--only read,write]
#                            [--data DIR] [--complaints 1000000] [--citizens 200000]
#   Benchmarks/Portal/run.sh --table RAW_RESULTS_FILE     (re-prints the summary of an earlier run)
#
# 1. Builds portal-bench (swift build -c release) and c/raw_insert.c (gcc -O2, system libsqlite3).
# 2. Generates the data set into DIR once (default $SCRATCH/data-1m) unless it exists; the
#    generation time is in DIR/generate.log.
# 3. read: a `portal-bench serve` process on DIR (synchronous=NORMAL); per repetition
#    `dashboard` (6 cases, DASH_CALLS interleaved calls each after one warm-up round) and `get`
#    (20,000 GetComplaint calls with 1 caller, then with 4 concurrent callers). The server only gains session rows.
# 4. write: per repetition and per synchronous mode (normal, full), on a fresh copy of DIR:
#    `file` against a `serve` process (8 connections x 32 in flight, SECS s), then on the same
#    copy `direct` (the services without the protocol), `check` (every counter table against
#    its recount), and the raw SQLite loops: c/raw_insert with 1 and 1,000 rows per
#    transaction, and `portal-bench raw` (the same through PortalStore's Database) with 1. Every ratio is taken between runs of the same repetition.
#    For synchronous=normal also an EXPERIMENT, labelled as such: the raw C loops with
#    wal_autocheckpoint=0. (The product's writer checkpoints on a thread of its own since
#    migration 0007's session, so the old `--experiment-checkpointer` run is gone.)
#
# Raw results: $SCRATCH/results/<time>/raw.txt (SCRATCH defaults to <repo>/.build-bench-portal).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRATCH=${SCRATCH:-$ROOT/.build-bench-portal}
REPS=3 SECS=10 DASH_CALLS=10 BUILD=1 ONLY="read,write" DATA="" COMPLAINTS=1000000 CITIZENS=200000 TABLE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --secs) SECS=$2; shift 2 ;;
    --dash-calls) DASH_CALLS=$2; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --complaints) COMPLAINTS=$2; shift 2 ;;
    --citizens) CITIZENS=$2; shift 2 ;;
    --table) TABLE=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
DATA=${DATA:-$SCRATCH/data-1m}

# Medians and [min-max] of every metric per benchmark case, and the write ratios, from raw.txt.
print_table() {
  awk '
  function val(k,   i) { for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
  function sortv(s, arr,   m, i, j, t) {
    m = split(s, arr, " ")
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (arr[j] + 0 < arr[i] + 0) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
    return m
  }
  function median(s,   arr, m) { m = sortv(s, arr); if (m == 0) return ""; return (m % 2) ? arr[(m + 1) / 2] : (arr[m / 2] + arr[m / 2 + 1]) / 2 }
  function spread(s,   arr, m) { m = sortv(s, arr); if (m == 0) return ""; return arr[1] "-" arr[m] }
  function add(key, metric, v) {
    if (v == "") return
    if (!((key, metric) in vals)) { if (!(key in seenk)) { seenk[key] = 1; keys[++nk] = key }; mets[key] = mets[key] " " metric }
    vals[key, metric] = vals[key, metric] " " v
  }
  /^RESULT/ {
    b = val("bench"); rep = val("rep")
    if (b == "dashboard") { key = "dashboard " val("case"); add(key, "p50_ms", val("p50_ms")); add(key, "p99_ms", val("p99_ms")); add(key, "max_ms", val("max_ms")) }
    else if (b == "get") { key = "get callers=" val("callers"); add(key, "p50_ms", val("p50_ms")); add(key, "p99_ms", val("p99_ms")); add(key, "p999_ms", val("p999_ms")); add(key, "max_ms", val("max_ms")); add(key, "rps", val("rps")); add(key, "srv_cores", val("srv_cores")); add(key, "errors", val("errors")) }
    else if (b == "file" || b == "direct" || b == "file-ckpt-experiment") {
      s = val("sync"); key = b " sync=" s
      add(key, "acks_s", val("acks_s")); add(key, "p50_ms", val("p50_ms")); add(key, "p99_ms", val("p99_ms"))
      cores = (b == "direct") ? "proc_cores" : "srv_cores"
      add(key, "srv_batch", val("srv_batch")); add(key, cores, val(cores)); add(key, "errors", val("errors"))
      thr[b, s, rep] = val("acks_s")
    }
    else if (b == "raw-c" || b == "raw-store") {
      s = val("sync"); ck = val("autocheckpoint"); isexp = (ck != "" && ck != "-1")
      key = b " batch=" val("batch") " sync=" s (isexp ? " autocheckpoint=" ck " (experiment)" : "")
      add(key, "rows_s", val("rows_s")); add(key, "txn_p50_ms", val("txn_p50_ms")); add(key, "txn_p99_ms", val("txn_p99_ms")); add(key, "cores", val("cores"))
      if (!isexp) thr[b "-" val("batch"), s, rep] = val("rows_s")
    }
    reps[rep] = 1; syncs[val("sync")] = 1
  }
  END {
    for (k = 1; k <= nk; k++) {
      key = keys[k]; line = sprintf("%-34s", key)
      n = split(mets[key], ms, " ")
      for (i = 1; i <= n; i++) line = line sprintf("  %s=%s [%s]", ms[i], median(vals[key, ms[i]]), spread(vals[key, ms[i]]))
      print line
    }
    for (s in syncs) {
      if (s == "") continue
      r1 = ""; r1k = ""; rd = ""
      for (r in reps) {
        f = thr["file", s, r]
        if (f != "" && thr["raw-c-1", s, r] > 0) r1 = r1 " " sprintf("%.3f", f / thr["raw-c-1", s, r])
        if (f != "" && thr["raw-c-1000", s, r] > 0) r1k = r1k " " sprintf("%.3f", f / thr["raw-c-1000", s, r])
        if (thr["direct", s, r] != "" && thr["raw-c-1", s, r] > 0) rd = rd " " sprintf("%.3f", thr["direct", s, r] / thr["raw-c-1", s, r])
      }
      if (r1 != "") printf "ratio sync=%-6s FileComplaint / raw C per-request: median %.3f [%s]\n", s, median(r1), spread(r1)
      if (r1k != "") printf "ratio sync=%-6s FileComplaint / raw C batched 1000: median %.3f [%s]\n", s, median(r1k), spread(r1k)
      if (rd != "") printf "ratio sync=%-6s direct (no protocol) / raw C per-request: median %.3f [%s]\n", s, median(rd), spread(rd)
    }
  }' "$1"
}

if [ -n "$TABLE" ]; then print_table "$TABLE"; exit 0; fi

BIN=$SCRATCH/release/portal-bench
RAW=$SCRATCH/c-bin/raw_insert
OUT=$SCRATCH/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$SCRATCH/c-bin" "$OUT"

if [ "$BUILD" = 1 ]; then
  echo "== building (swift build -c release; gcc -O2)"
  touch "$HERE/Package.swift"   # re-plan: SwiftPM notices new files in a path dependency only then
  (cd "$HERE" && swift build -c release --scratch-path "$SCRATCH" --product portal-bench) > "$OUT/build.log" 2>&1 \
    || { tail -40 "$OUT/build.log"; exit 1; }
  gcc -O2 -Wall -o "$RAW" "$HERE/c/raw_insert.c" $(pkg-config --cflags --libs sqlite3)
  # Others edit Sources/ while this runs: record the commit, a digest of the tree built and a
  # copy of it (sources.tgz), so every number can be tied to the code it measured.
  (cd "$ROOT" && tar czf "$OUT/sources.tgz" Package.swift Sources)
  tree=$(cd "$ROOT" && find Sources Package.swift -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
  echo "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift && [ -z "$(git -C "$ROOT" status --porcelain -- Sources)" ] || echo ' + uncommitted changes under Sources/') (Sources digest $tree) at $(date -u +%H:%M:%SZ)" > "$SCRATCH/build-info.txt"
fi

if [ ! -f "$DATA/portal.sqlite" ]; then
  echo "== generating $COMPLAINTS complaints, $CITIZENS citizens into $DATA"
  "$BIN" generate --data "$DATA" --complaints "$COMPLAINTS" --citizens "$CITIZENS" | tee "$DATA.generate.log"
  cp "$DATA.generate.log" "$DATA/generate.log"
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "swift: $(swift --version 2>&1 | head -1); sqlite: $(pkg-config --modversion sqlite3)"
  echo "binaries built from: $(cat "$SCRATCH/build-info.txt" 2>/dev/null || echo unknown)"
  echo "data: $DATA ($(du -sh "$DATA" | cut -f1)); $(grep '^GENERATED' "$DATA/generate.log" 2>/dev/null || true)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "reps=$REPS secs=$SECS dash-calls=$DASH_CALLS"
} | tee "$OUT/machine.txt"

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start_server LOG DIR SYNC [serve options]: a `portal-bench serve` process; sets PORT and SPID.
start_server() {
  local log=$1 dir=$2 sync=$3; shift 3
  "$BIN" serve --data "$dir" --sync "$sync" "$@" > "$log" 2>&1 &
  SPID=$!
  PIDS+=("$SPID")
  for _ in $(seq 600); do
    if grep -q '^LISTENING' "$log" 2>/dev/null; then break; fi
    if ! kill -0 "$SPID" 2>/dev/null; then cat "$log"; echo "server died" >&2; exit 1; fi
    sleep 0.1
  done
  PORT=$(awk '/^LISTENING/ {print $2; exit}' "$log")
}
stop_server() { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; }

# tag REP: appends rep=N to the RESULT lines of stdin into raw.txt and echoes them.
tag() { awk -v rep="$1" '/^RESULT/ { print $0 " rep=" rep; fflush() } /^ERROR|^failed/ { print; fflush() }' | tee -a "$OUT/raw.txt"; }

if [[ ,$ONLY, == *,read,* ]]; then
  echo "== read benchmarks (server: $DATA, synchronous=normal)"
  start_server "$OUT/server-read.out" "$DATA" normal
  for rep in $(seq "$REPS"); do
    echo "-- rep $rep, load $(cut -d' ' -f1 /proc/loadavg)"
    "$BIN" dashboard --data "$DATA" --port "$PORT" --calls "$DASH_CALLS" --warmup 1 | tag "$rep"
    "$BIN" get --data "$DATA" --port "$PORT" --calls 20000 --warmup 2000 --callers 1 --server-log "$OUT/server-read.out" | tag "$rep"
    "$BIN" get --data "$DATA" --port "$PORT" --calls 20000 --warmup 2000 --callers 4 --server-log "$OUT/server-read.out" | tag "$rep"
  done
  stop_server
fi

if [[ ,$ONLY, == *,write,* ]]; then
  WORK=$SCRATCH/work
  FIRST=$(awk -F= '$1 == "citizen_first_id" {print $2}' "$DATA/bench-accounts.txt")
  COUNT=$(awk -F= '$1 == "citizen_count" {print $2}' "$DATA/bench-accounts.txt")
  for rep in $(seq "$REPS"); do
    for sync in normal full; do
      echo "-- rep $rep sync=$sync: fresh copy of the data set, load $(cut -d' ' -f1 /proc/loadavg)"
      rm -rf "$WORK"; cp -r "$DATA" "$WORK"
      start_server "$OUT/server-file-$rep-$sync.out" "$WORK" "$sync"
      "$BIN" file --data "$WORK" --port "$PORT" --seconds "$SECS" --warmup 2 --connections 8 --inflight 32 --sync "$sync" \
        --server-log "$OUT/server-file-$rep-$sync.out" | tag "$rep"
      stop_server
      "$BIN" direct --data "$WORK" --seconds "$SECS" --warmup 2 --inflight 256 --sync "$sync" | tag "$rep"
      # Before the raw loops: their rows are bare INSERTs, which the services' counters
      # (ComplaintCounters, migration 0008) never see.
      "$BIN" check --data "$WORK" --quick | tail -1
      "$RAW" --db "$WORK/portal.sqlite" --first-citizen "$FIRST" --citizens "$COUNT" --seconds "$SECS" --warmup 1 --batch 1 --sync "$sync" | tag "$rep"
      "$RAW" --db "$WORK/portal.sqlite" --first-citizen "$FIRST" --citizens "$COUNT" --seconds "$SECS" --warmup 1 --batch 1000 --sync "$sync" | tag "$rep"
      "$BIN" raw --data "$WORK" --seconds "$SECS" --warmup 1 --batch 1 --sync "$sync" | tag "$rep"
      if [ "$sync" = normal ]; then
        # Experiment (not the product's configuration): the raw C loops with checkpoints off.
        "$RAW" --db "$WORK/portal.sqlite" --first-citizen "$FIRST" --citizens "$COUNT" --seconds "$SECS" --warmup 1 --batch 1 --sync normal --autocheckpoint 0 | tag "$rep"
        "$RAW" --db "$WORK/portal.sqlite" --first-citizen "$FIRST" --citizens "$COUNT" --seconds "$SECS" --warmup 1 --batch 1000 --sync normal --autocheckpoint 0 | tag "$rep"
      fi
    done
  done
  rm -rf "$WORK"
fi

echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo "== summary: median [min-max] of $REPS repetitions ($OUT/raw.txt)"
print_table "$OUT/raw.txt" | tee "$OUT/summary.txt"
