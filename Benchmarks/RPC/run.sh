#!/usr/bin/env bash
# RPC benchmark driver: in ONE run, interleaved, for each scenario and repetition, a minimal C
# epoll echo (the machine's limit), CitizenPortal's RPC runtime ("ours") and grpc-swift-2 serve
# the same small echo; then a 10,000-connection test with an open stream each on our server.
# Loopback (127.0.0.1) only; every client run is bounded in time and the script stops by itself.
#
#   Benchmarks/RPC/run.sh [--reps N] [--secs T] [--warmup W] [--pin] [--skip-build] [--static-stdlib]
#                         [--skip-hold] [--hold-conns N] [--hold-secs T] [--only c,ours,oursl,oursc,grpc]
#   Benchmarks/RPC/run.sh --table RAW_RESULTS_FILE     (re-prints the table of an earlier run)
#
# Implementations: c = c-echo (echo_server + echo_client), ours = portal-echo server + portal-echo
# client (RPCClient, calls made from the cooperative pool, as an app makes them), oursl = the
# same with each calling task on its client's event loop (RPCClient.executor: no thread hop per
# call), oursc = the same portal-echo server driven by c-portal/portal_load (our
# protocol spoken by a C client: the server's own cost without our client library's), grpc =
# grpc-echo server + client (grpc-swift-2).
#
# --static-stdlib links the Swift standard library and runtime into every Swift binary (ours and
# grpc-swift-2 alike: `swift build --static-swift-stdlib`, as a Linux deployment may ship them),
# so runtime calls and thread-local accesses skip the shared libraries' PLT and __tls_get_addr.
# --pin runs every server on CPU 0 and every client on CPU 1 (taskset); by default nothing is
# pinned. Raw results go to $SCRATCH/results/<time>/ (SCRATCH defaults to <repo>/.build-rpcbench).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRATCH=${SCRATCH:-$ROOT/.build-rpcbench}
REPS=3 SECS=5 WARMUP=1 PIN=0 BUILD=1 STATIC=0 HOLD=1 HOLD_CONNS=10000 HOLD_SECS=5 STREAM_COUNT=10000
ONLY="c,ours,oursl,oursc,grpc" TABLE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --secs) SECS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --pin) PIN=1; shift ;;
    --skip-build) BUILD=0; shift ;;
    --static-stdlib) STATIC=1; shift ;;
    --skip-hold) HOLD=0; shift ;;
    --hold-conns) HOLD_CONNS=$2; shift 2 ;;
    --hold-secs) HOLD_SECS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --table) TABLE=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# Medians per scenario and implementation, and the ratios, from a raw results file.
print_table() {
  awk '
  function val(k,   i) { for (i = 4; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
  function median(key, n,   arr, i, j, t, m) {
    m = split(vals[key], arr, " ")
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (arr[j] + 0 < arr[i] + 0) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
    if (m == 0) return 0
    return (m % 2) ? arr[(m + 1) / 2] : (arr[m / 2] + arr[m / 2 + 1]) / 2
  }
  {
    k = $1 SUBSEP $2
    if (!($1 in seen)) { seen[$1] = 1; order[++ns] = $1 }
    vals[k SUBSEP "rps"] = vals[k SUBSEP "rps"] " " val("rps"); vals[k SUBSEP "p50"] = vals[k SUBSEP "p50"] " " val("p50_us")
    vals[k SUBSEP "p99"] = vals[k SUBSEP "p99"] " " val("p99_us"); vals[k SUBSEP "cores"] = vals[k SUBSEP "cores"] " " val("server_cores")
    vals[k SUBSEP "ccores"] = vals[k SUBSEP "ccores"] " " val("client_cores")
    errs[k] += (val("errors") + 0)
  }
  END {
    printf "%-13s | %-5s | %12s | %9s | %9s | %8s | %8s | %6s\n", "scenario", "impl", "RPC/s|msg/s", "p50 us", "p99 us", "srv cpu", "cli cpu", "errors"
    printf "%s\n", "--------------|-------|--------------|-----------|-----------|----------|----------|-------"
    for (s = 1; s <= ns; s++) {
      sc = order[s]
      split("c ours oursl oursc grpc", impls, " ")
      for (i = 1; i <= 5; i++) {
        k = sc SUBSEP impls[i]
        if (vals[k SUBSEP "rps"] == "") continue
        r[impls[i]] = median(k SUBSEP "rps")
        printf "%-13s | %-5s | %12.0f | %9.1f | %9.1f | %8.2f | %8.2f | %6d\n", sc, impls[i], r[impls[i]], median(k SUBSEP "p50"), median(k SUBSEP "p99"), median(k SUBSEP "cores"), median(k SUBSEP "ccores"), errs[k]
      }
      printf "%-13s | ratios: ours/C = %s, oursl/C = %s, ours/grpc-swift-2 = %s, oursl/grpc-swift-2 = %s, oursc/C = %s\n", sc,
        (r["c"] > 0 && r["ours"] != "") ? sprintf("%.3f", r["ours"] / r["c"]) : "n/a",
        (r["c"] > 0 && r["oursl"] != "") ? sprintf("%.3f", r["oursl"] / r["c"]) : "n/a",
        (r["grpc"] > 0 && r["ours"] != "") ? sprintf("%.1f", r["ours"] / r["grpc"]) : "n/a",
        (r["grpc"] > 0 && r["oursl"] != "") ? sprintf("%.1f", r["oursl"] / r["grpc"]) : "n/a",
        (r["c"] > 0 && r["oursc"] != "") ? sprintf("%.3f", r["oursc"] / r["c"]) : "n/a"
      delete r
    }
  }' "$1"
}

if [ -n "$TABLE" ]; then print_table "$TABLE"; exit 0; fi

BIN=$SCRATCH/release
CBIN=$SCRATCH/c-bin
OUT=$SCRATCH/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$CBIN" "$OUT"

if [ "$BUILD" = 1 ]; then
  echo "== building (gcc -O2; swift build -c release)"
  gcc -O2 -Wall -o "$CBIN/echo_server" "$HERE/c-echo/echo_server.c"
  gcc -O2 -Wall -o "$CBIN/echo_client" "$HERE/c-echo/echo_client.c"
  gcc -O2 -Wall -o "$CBIN/portal_hold" "$HERE/c-portal/portal_hold.c"
  gcc -O2 -Wall -o "$CBIN/portal_load" "$HERE/c-portal/portal_load.c"
  LINK=()
  [ "$STATIC" = 1 ] && LINK=(--static-swift-stdlib)
  (cd "$HERE" && swift build -c release "${LINK[@]}" --scratch-path "$SCRATCH" --product portal-echo \
     && swift build -c release "${LINK[@]}" --scratch-path "$SCRATCH" --product grpc-echo) > "$OUT/build.log" 2>&1 \
     || { tail -40 "$OUT/build.log"; exit 1; }
  echo "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- Sources Tools Package.swift || echo ' + uncommitted changes under Sources/ or Tools/') at $(date -u +%H:%M:%SZ)$([ "$STATIC" = 1 ] && echo ', Swift stdlib linked statically')" > "$SCRATCH/build-info.txt"
fi

# Descriptors for the 10k test (the hard limit here is 20000; each process needs ~10k).
ulimit -n "$(ulimit -Hn)"

SERVER_CPU="" CLIENT_CPU=""
if [ "$PIN" = 1 ]; then SERVER_CPU="taskset -c 0"; CLIENT_CPU="taskset -c 1"; fi

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start_server NAME CMD... : starts a server on a free port; sets PORT and SPID.
start_server() {
  local name=$1; shift
  $SERVER_CPU "$@" > "$OUT/server-$name.out" 2>&1 &
  SPID=$!
  PIDS+=("$SPID")
  for _ in $(seq 300); do
    if grep -q '^LISTENING' "$OUT/server-$name.out" 2>/dev/null; then break; fi
    if ! kill -0 "$SPID" 2>/dev/null; then cat "$OUT/server-$name.out"; echo "$name server died" >&2; exit 1; fi
    sleep 0.1
  done
  PORT=$(awk '/^LISTENING/ {print $2; exit}' "$OUT/server-$name.out")
  [ -n "$PORT" ] || { echo "$name server did not start" >&2; exit 1; }
}

# Client CPU from GNU time (Debian package `time`) when present.
TIMECMD=(env)
[ -x /usr/bin/time ] && TIMECMD=(/usr/bin/time -f "CLIENTCPU %U %S %e")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "swift: $(swift --version 2>&1 | head -1)"
  echo "binaries built from: $(cat "$SCRATCH/build-info.txt" 2>/dev/null || echo unknown)"
  echo "HEAD now: $(git -C "$ROOT" rev-parse --short HEAD)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "reps=$REPS secs=$SECS warmup=$WARMUP pinned=$([ "$PIN" = 1 ] && echo 'servers CPU 0, clients CPU 1' || echo no)"
} | tee "$OUT/machine.txt"

declare -A SPORT SPIDS
if [[ ,$ONLY, == *,c,* ]]; then start_server c "$CBIN/echo_server" -p 0; SPORT[c]=$PORT; SPIDS[c]=$SPID; fi
if [[ ,$ONLY, == *,ours,* || ,$ONLY, == *,oursl,* || ,$ONLY, == *,oursc,* ]]; then start_server ours "$BIN/portal-echo" server --port 0; SPORT[ours]=$PORT; SPIDS[ours]=$SPID; fi
if [[ ,$ONLY, == *,grpc,* ]]; then start_server grpc "$BIN/grpc-echo" server --port 0; SPORT[grpc]=$PORT; SPIDS[grpc]=$SPID; fi
echo "servers: $(for k in "${!SPORT[@]}"; do printf '%s=127.0.0.1:%s(pid %s) ' "$k" "${SPORT[$k]}" "${SPIDS[$k]}"; done)"

# scenario: name conns depth mode
SCENARIOS=("unary-1x1 1 1 unary" "unary-16x1 16 1 unary" "unary-16x16 16 16 unary" "stream-1conn 1 1 stream")
IMPLS=(c ours oursl oursc grpc)
RAW=$OUT/raw.txt
: > "$RAW"
LIMIT=$(awk -v w="$WARMUP" -v s="$SECS" 'BEGIN {print int(w + s + 60)}')

for rep in $(seq "$REPS"); do
  for sc in "${SCENARIOS[@]}"; do
    read -r name conns depth mode <<< "$sc"
    for impl in "${IMPLS[@]}"; do
      [[ ,$ONLY, == *,$impl,* ]] || continue
      port=${SPORT[$impl]:-} spid=${SPIDS[$impl]:-}
      case $impl in
        c)    cmd=("$CBIN/echo_client" -p "$port" -c "$conns" -d "$depth" -t "$SECS" -w "$WARMUP" -s 14)
              [ "$mode" = stream ] && cmd+=(-m stream -k "$STREAM_COUNT") ;;
        ours|oursl) port=${SPORT[ours]} spid=${SPIDS[ours]}
              cmd=("$BIN/portal-echo" client --port "$port" --conns "$conns" --depth "$depth" --secs "$SECS" --warmup "$WARMUP")
              [ "$impl" = oursl ] && cmd+=(--on-loop)
              [ "$mode" = stream ] && cmd+=(--stream --count "$STREAM_COUNT") ;;
        oursc) port=${SPORT[ours]} spid=${SPIDS[ours]}
              cmd=("$CBIN/portal_load" -p "$port" -c "$conns" -d "$depth" -t "$SECS" -w "$WARMUP")
              [ "$mode" = stream ] && cmd+=(-m stream -k "$STREAM_COUNT") ;;
        grpc) cmd=("$BIN/grpc-echo" client --port "$port" --conns "$conns" --depth "$depth" --secs "$SECS" --warmup "$WARMUP")
              [ "$mode" = stream ] && cmd+=(--stream --count "$STREAM_COUNT") ;;
      esac
      c0=$(cpu_ticks "$spid"); t0=$(date +%s.%N)
      set +e
      res=$(timeout "$LIMIT" $CLIENT_CPU "${TIMECMD[@]}" "${cmd[@]}" 2>&1); rc=$?
      set -e
      c1=$(cpu_ticks "$spid"); t1=$(date +%s.%N)
      cores=$(awk -v a="$c0" -v b="$c1" -v x="$t0" -v y="$t1" -v hz="$TICK" 'BEGIN {printf "%.2f", (b - a) / hz / (y - x)}')
      line=$(grep '^RESULT' <<< "$res" | head -1 || true)
      ccores=$(awk '/^CLIENTCPU/ { if ($4 > 0) printf "%.2f", ($2 + $3) / $4; else print 0 }' <<< "$res")
      if [ $rc -ne 0 ] || [ -z "$line" ]; then
        echo "!! $name $impl rep $rep: client exit $rc" | tee -a "$OUT/errors.txt"
        echo "$res" | tail -5 | tee -a "$OUT/errors.txt"
        line="RESULT calls=0 secs=0 rps=0 p50_us=0 p99_us=0 errors=-1"
      fi
      grep '^ERROR' <<< "$res" | sed "s/^/$name $impl rep $rep: /" >> "$OUT/errors.txt" || true
      echo "$name $impl $rep $line server_cores=$cores client_cores=${ccores:-0} load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RAW"
    done
  done
done

echo
echo "== medians of $REPS runs (${SECS}s each after ${WARMUP}s warm-up); load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
print_table "$RAW" | tee "$OUT/table.txt"
[ -s "$OUT/errors.txt" ] && { echo; echo "== errors (see $OUT/errors.txt)"; head -20 "$OUT/errors.txt"; }

cleanup; PIDS=()

if [ "$HOLD" = 1 ]; then
  echo
  echo "== $HOLD_CONNS connections, each with an open server-streaming call (grpc.health.v1.Health/Watch), on our server"
  echo "limits: ulimit -n $(ulimit -n); fs.nr_open $(cat /proc/sys/fs/nr_open); fs.file-max $(cat /proc/sys/fs/file-max); ports $(tr '\t' '-' < /proc/sys/net/ipv4/ip_local_port_range); somaxconn $(cat /proc/sys/net/core/somaxconn)"
  start_server hold "$BIN/portal-echo" server --port 0 --max-connections $((HOLD_CONNS + 1000))
  set +e
  timeout 300 $CLIENT_CPU "$CBIN/portal_hold" -p "$PORT" -P "$SPID" -c "$HOLD_CONNS" -t "$HOLD_SECS" | tee "$OUT/hold.txt"
  set -e
  awk '/^MEM phase=held/ { split($3, a, "="); split($4, b, "=");
        printf "server RSS with %s open streams: VmRSS %.1f MiB, VmHWM %.1f MiB (target: < 1024 MiB)\n", n, a[2] / 1024, b[2] / 1024 }
       /^HOLD conns/ { split($3, o, "="); n = o[2] }' "$OUT/hold.txt"
  cleanup; PIDS=()
fi
echo
echo "raw results: $OUT"
