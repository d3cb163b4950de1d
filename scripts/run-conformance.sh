#!/usr/bin/env bash
# run-conformance.sh — run protobuf's official conformance suite against a
# testee executable that speaks the conformance protocol (length-prefixed
# ConformanceRequest/ConformanceResponse over stdin/stdout).
#
# Usage: scripts/run-conformance.sh [RUNNER_OPTION...] TESTEE_PATH
#   RUNNER_OPTION  extra conformance_test_runner flags, e.g.
#                  --failure_list FILE, --text_format_failure_list FILE
#
# The runner (built/cached by scripts/conformance-runner.sh) is invoked as
#   conformance_test_runner --enforce_recommended --output_dir DIR [opts] TESTEE
# from a temporary directory. It runs two suites: "binary + JSON" and
# "text format"; tests the testee answers with `skipped` are counted as
# skipped, not failed. Recommended tests count as failures
# (--enforce_recommended).
#
# Environment:
#   EXPECT_SUCCESSES     fail unless total successes >= this number
#   CONFORMANCE_LOG      where to keep the runner's full output
#                        (default: <cache>/conformance.log)
#   CONFORMANCE_VERBOSE  1 = pass --verbose and print a per-category table of
#                        passed/skipped/failed tests (large log)
#   CONFORMANCE_TIMEOUT  seconds before the run is killed (default: 1200)
#   CONFORMANCE_CACHE    cache dir, shared with conformance-runner.sh
#
# Exit status: 0 only if the runner passed, reported 0 unexpected failures,
# and (if set) reached EXPECT_SUCCESSES.
set -euo pipefail

log() { printf '[run-conformance] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$#" -ge 1 ] || die "usage: $0 [RUNNER_OPTION...] TESTEE_PATH"
case "${EXPECT_SUCCESSES:-0}" in
  '' | *[!0-9]*) die "EXPECT_SUCCESSES must be a non-negative integer, got '$EXPECT_SUCCESSES'" ;;
esac

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
cache_dir="${CONFORMANCE_CACHE:-$repo_root/.build-conformance}"
timeout_s="${CONFORMANCE_TIMEOUT:-1200}"

# Last argument is the testee; everything before it goes to the runner.
testee="${!#}"
runner_opts=("${@:1:$#-1}")

# The runner execs the testee from a temp dir, so it needs an absolute path.
[ -f "$testee" ] || die "testee not found: $testee"
testee="$(cd "$(dirname "$testee")" && pwd)/$(basename "$testee")"
[ -x "$testee" ] || die "testee is not executable: $testee"

# Build or locate the runner (its last stdout line is the binary's path).
runner="$("$script_dir/conformance-runner.sh" | tail -n 1)"
[ -x "$runner" ] || die "conformance-runner.sh did not produce a runner ($runner)"

mkdir -p "$cache_dir"
log_file="${CONFORMANCE_LOG:-$cache_dir/conformance.log}"
mkdir -p "$(dirname "$log_file")"
log_file="$(cd "$(dirname "$log_file")" && pwd)/$(basename "$log_file")"

# Test lists the runner writes on failure are kept beside the log; drop stale ones.
rm -f "$log_file".{failing,nonexistent,succeeding}_tests.txt

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/conformance.XXXXXX")"
trap 'rm -rf "$work_dir"' EXIT

cmd=("$runner" --enforce_recommended --output_dir "$work_dir")
[ "${CONFORMANCE_VERBOSE:-0}" = 1 ] && cmd+=(--verbose)
cmd+=(${runner_opts[@]+"${runner_opts[@]}"} "$testee")

log "running: ${cmd[*]}"
log "log: $log_file"
start=$SECONDS
rc=0
(cd "$work_dir" && timeout --kill-after=10 "$timeout_s" "${cmd[@]}") >"$log_file" 2>&1 || rc=$?
log "runner exited with status $rc after $((SECONDS - start)) s"
[ "$rc" -eq 124 ] && log "runner TIMED OUT after ${timeout_s} s"

# --- Summaries: one "CONFORMANCE SUITE ..." line per suite that ran. --------
# (binary+JSON suite first, then text format; the runner stops after the
# first suite that fails, so a failing run may have only one line).
summaries="$(grep -E '^CONFORMANCE SUITE (PASSED|FAILED):' "$log_file" || true)"
suite_names=("binary+JSON suite" "text format suite")
i=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  printf '%s: %s\n' "${suite_names[$i]:-suite $i}" "$line"
  i=$((i + 1))
done <<<"$summaries"

sum_field() { # sum the number preceding WORDS over all summary lines
  printf '%s\n' "$summaries" |
    sed -nE "s/.* ([0-9]+) $1.*/\\1/p" | awk '{ s += $1 } END { print s + 0 }'
}
successes="$(sum_field 'successes')"
skipped="$(sum_field 'skipped')"
expected_failures="$(sum_field 'expected failures')"
failures="$(sum_field 'unexpected failures')"

# Per-category breakdown (needs --verbose output).
if [ "${CONFORMANCE_VERBOSE:-0}" = 1 ]; then
  echo "per-category results (passed / skipped / failed):"
  awk '
    # Level.Syntax.InputFormat[.*.OutputFormat], e.g.
    # Required.Proto3.ProtobufInput.*.ProtobufOutput; tests without an output
    # suffix expect a parse failure.
    function cat(name,   n, p, c) {
      n = split(name, p, ".")
      if (n <= 3) return name
      c = p[1] "." p[2] "." p[3]
      if (n > 4 && p[n] ~ /Output$/) c = c ".*." p[n]
      return c
    }
    /^conformance test: name=/ { t = $0; sub(/^conformance test: name=/, "", t); sub(/, request=.*/, "", t)
                                 if (t != "FindFailures") seen[t] = 1; next }
    /^SKIPPED, test=/          { t = $2; sub(/^test=/, "", t); skip[t] = 1; next }
    /^(ERROR|WARNING), test=/  { t = $2; sub(/^test=/, "", t); sub(/:$/, "", t); fail[t] = 1; next }
    END {
      for (t in seen) {
        c = cat(t); cats[c] = 1
        if (t in fail) f[c]++; else if (t in skip) s[c]++; else p[c]++
      }
      for (c in cats) printf "  %-56s %5d %5d %5d\n", c, p[c], s[c], f[c]
    }' "$log_file" | sort
fi

status=0
if [ -z "$summaries" ]; then
  log "no CONFORMANCE SUITE summary found — the runner crashed? Last lines of the log:"
  tail -n 30 "$log_file" >&2
  status=1
fi
if [ "$failures" -gt 0 ] || [ "$rc" -ne 0 ]; then
  log "failing tests (first 30):"
  grep -E '^ERROR, test=' "$log_file" | cut -c1-300 | head -n 30 >&2 || true
  # Anything else the runner or the testee (its stderr) printed, e.g. crashes.
  other="$(grep -vE '^(ERROR|WARNING|SKIPPED), test=|^conformance test: name=|^CONFORMANCE |^ *$' \
             "$log_file" | head -n 20 || true)"
  if [ -n "$other" ]; then
    log "other runner/testee output (first 20 lines):"
    printf '%s\n' "$other" | cut -c1-300 >&2
  fi
  for f in failing_tests.txt nonexistent_tests.txt succeeding_tests.txt; do
    if [ -s "$work_dir/$f" ]; then
      cp "$work_dir/$f" "$log_file.$f"
      log "$f saved to $log_file.$f"
    fi
  done
  status=1
fi
if [ -n "${EXPECT_SUCCESSES:-}" ] && [ "$successes" -lt "$EXPECT_SUCCESSES" ]; then
  log "only $successes successes, expected at least $EXPECT_SUCCESSES"
  status=1
fi

echo "successes=$successes failures=$failures skipped=$skipped expected_failures=$expected_failures"
echo "conformance: $successes passed, $failures failed, $skipped skipped"
exit "$status"
