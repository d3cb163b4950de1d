#!/usr/bin/env bash
# callgrind.sh — instructions per operation (Ir) for one benchmark row, under valgrind.
# Instruction counts are stable on a noisy, shared machine; use them to compare changes.
#
# Usage: scripts/callgrind.sh ROW [ITERATIONS] [PORTAL_BENCH]
#   ROW           a row id (portal-bench --list)
#   ITERATIONS    loop iterations per operation (default 100); the result is divided by it
#   PORTAL_BENCH  the release binary (default ../.build-bench/release/portal-bench)
# Output: Ir/op for ours and swift-protobuf, encode and decode, and the ratio. The
# callgrind.out file is kept in $TMPDIR for callgrind_annotate.
set -euo pipefail
row="${1:?usage: $0 ROW [ITERATIONS] [PORTAL_BENCH]}"
iters="${2:-100}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${3:-$here/../.build-bench/release/portal-bench}"
out="${TMPDIR:-/tmp}/callgrind.out.portal-bench.$row"

# BRANCH_SIM=1 also simulates branch prediction (Bc conditional branches, Bcm mispredicted).
extra=()
[ "${BRANCH_SIM:-0}" = 1 ] && extra=(--branch-sim=yes)
valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no ${extra[@]+"${extra[@]}"} \
  --toggle-collect='*callgrindOursEncode*' --toggle-collect='*callgrindSwiftProtobufEncode*' \
  --toggle-collect='*callgrindOursDecode*' --toggle-collect='*callgrindSwiftProtobufDecode*' \
  "$bin" --callgrind-once "$row" --iterations "$iters" >/dev/null 2>"$out.log" \
  || { cat "$out.log" >&2; exit 1; }

callgrind_annotate --inclusive=yes "$out" 2>/dev/null | awk -v n="$iters" -v row="$row" '
  /callgrind(Ours|SwiftProtobuf)(En|De)code/ && !seen[$0]++ {
    gsub(",", "", $1); ir = $1 + 0
    name = $0; sub(/.*callgrind/, "", name); sub(/code.*/, "code", name)
    if (!(name in cost)) {
      cost[name] = ir / n
      # With --branch-sim the columns are Ir Bc Bcm Bi Bim (each followed by a percentage).
      m = 0
      for (i = 2; i <= NF; i++) if ($i ~ /^[0-9,]+$/) { v = $i; gsub(",", "", v); col[++m] = v + 0 }
      if (m >= 4) miss[name] = (col[2] + col[4]) / n
    }
  }
  END {
    printf "%s (Ir/op, %d iterations)\n", row, n
    printf "  encode: ours %10.0f  swift-protobuf %10.0f  ratio %.2fx\n", cost["OursEncode"], cost["SwiftProtobufEncode"], cost["SwiftProtobufEncode"] / cost["OursEncode"]
    printf "  decode: ours %10.0f  swift-protobuf %10.0f  ratio %.2fx\n", cost["OursDecode"], cost["SwiftProtobufDecode"], cost["SwiftProtobufDecode"] / cost["OursDecode"]
    if ("OursEncode" in miss) {
      printf "  mispredicted branches/op: encode ours %.0f, swift-protobuf %.0f; decode ours %.0f, swift-protobuf %.0f\n", miss["OursEncode"], miss["SwiftProtobufEncode"], miss["OursDecode"], miss["SwiftProtobufDecode"]
    }
  }'
echo "  (profile: callgrind_annotate $out)"
