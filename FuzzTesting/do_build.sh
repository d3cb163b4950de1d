#!/bin/bash
# Builds the fuzz targets (and optionally replays the corpora or fuzzes for a while).
#
#   FuzzTesting/do_build.sh                      # debug build into ../.build-fuzz
#   FuzzTesting/do_build.sh --release            # release build (finds other things)
#   FuzzTesting/do_build.sh --run-regressions    # then run every corpus/regression file once
#   FuzzTesting/do_build.sh --fuzz 600           # then fuzz each target for 600 s, one job each
#
# libFuzzer is linked into the fuzz executables only (Package.swift); the rest of the build,
# including PortalWire and the generated code, gets AddressSanitizer and libFuzzer's coverage
# instrumentation from the flags below. Do not pass -sanitize=fuzzer to the whole build: it also
# reaches portal-codegen, the host tool of the code-generation plugin, which then cannot link.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
SCRATCH="${SCRATCH:-$HERE/../.build-fuzz}"
CONFIG=debug
REGRESSIONS=no
FUZZ_SECONDS=
TARGETS=(FuzzDecode FuzzDecodeProto3 FuzzDecodeJSON FuzzFrameDecoder FuzzHTTPRequest FuzzSchemaParser)
[[ -n "${FUZZ_TARGETS:-}" ]] && read -r -a TARGETS <<< "$FUZZ_TARGETS"

while [[ $# != 0 ]]; do
  case "$1" in
    --release) CONFIG=release ;;
    --debug) CONFIG=debug ;;
    --run-regressions|--run) REGRESSIONS=yes ;;
    --fuzz) FUZZ_SECONDS="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
  shift
done

# Per-target libFuzzer flags. FuzzSchemaParser: a recursive message type is a reference cycle in
# the compiler's model (a field's type is a strong reference); the check frees every model it
# can reach, but one rejected after resolution leaks (see Sources/FuzzSchemaParser/
# SchemaFuzzCheck.swift), which LeakSanitizer would report as a crash. Leak detection is off
# for it (-detect_leaks=0 for libFuzzer's per-input check, ASAN_OPTIONS for the one at exit).
target_flags() {
  case "$1" in
    FuzzSchemaParser) echo "-detect_leaks=0" ;;
  esac
}
# SWIFT_BACKTRACE=enable=no: Swift's crash backtracer, run under AddressSanitizer, reports a
# false stack-buffer-underflow of its own and can take minutes to finish; libFuzzer's report
# and the saved artifact are what a crash needs.
target_env() {
  case "$1" in
    FuzzSchemaParser) echo "SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ;;
    *) echo "SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-}" ;;
  esac
}

cd "$HERE"
swift build -c "$CONFIG" --scratch-path "$SCRATCH" \
  -Xswiftc -sanitize=address \
  -Xswiftc -sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table
BIN="$(swift build -c "$CONFIG" --scratch-path "$SCRATCH" --show-bin-path)"

if [[ "$REGRESSIONS" == yes ]]; then
  for t in "${TARGETS[@]}"; do
    inputs=(Corpus/"$t"/*)
    case "$t" in
      FuzzDecode) regressions=../Tests/PortalModelTests/FuzzRegressions ;;
      FuzzFrameDecoder) regressions=../Tests/PortalRPCTests/FrameFuzzRegressions ;;
      FuzzSchemaParser) regressions=../Tests/SchemaCompilerTests/SchemaFuzzRegressions ;;
      *) regressions= ;;
    esac
    if [[ -n "$regressions" ]]; then
      for f in "$regressions"/*; do
        [[ -f "$f" && "$f" != *.md ]] && inputs+=("$f")
      done
    fi
    echo "== $t: replaying ${#inputs[@]} inputs"
    # Given files (not directories), libFuzzer runs each once; a crash stops with its report.
    env $(target_env "$t") "$BIN/$t" $(target_flags "$t") "${inputs[@]}" > "$SCRATCH/regressions-$t.log" 2>&1 || { cat "$SCRATCH/regressions-$t.log"; exit 1; }
    echo "   $(grep -c '^Executed' "$SCRATCH/regressions-$t.log") executed, no crash"
  done
fi

if [[ -n "$FUZZ_SECONDS" ]]; then
  for t in "${TARGETS[@]}"; do
    work="$SCRATCH/fuzz-corpus/$t"
    mkdir -p "$work" "$SCRATCH/fuzz-artifacts"
    echo "== fuzzing $t for $FUZZ_SECONDS s (new inputs in $work, crashes in $SCRATCH/fuzz-artifacts)"
    # -timeout: an input that runs for 10 s is a hang (every target takes milliseconds).
    env $(target_env "$t") "$BIN/$t" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -timeout=10 $(target_flags "$t") -dict="$t.dict" \
      -artifact_prefix="$SCRATCH/fuzz-artifacts/$t-" "$work" "Corpus/$t"
  done
fi
