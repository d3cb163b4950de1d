#!/usr/bin/env bash
# conformance-runner.sh — build (and cache) protobuf's official
# `conformance_test_runner` from Debian's protobuf source package.
#
# Usage: scripts/conformance-runner.sh
#
# Prints the absolute path of the built runner as the LAST line of stdout;
# every other message goes to stderr, so callers can simply do
#     runner="$(scripts/conformance-runner.sh | tail -n 1)"
#
# What it does (each step is skipped when already done, so re-runs are cheap):
#   1. installs the tools it needs with apt (g++, protobuf-compiler,
#      libprotobuf-dev, dpkg-dev) — only the ones that are missing;
#   2. adds a `deb-src` apt entry mirroring the machine's main Debian entry
#      (/etc/apt/sources.list.d/portal-deb-src.sources) unless one exists;
#   3. downloads + unpacks the protobuf source package matching the installed
#      libprotobuf-dev into the cache dir;
#   4. generates C++ for conformance.proto / test_messages_proto{2,3}.proto
#      with the system protoc, compiles the runner sources (plus the bundled
#      jsoncpp) in parallel and links them against the system libprotobuf;
#   5. checks that the binary starts (it must print its usage text).
#
# Environment:
#   CONFORMANCE_CACHE  cache directory (default: <repo>/.build-conformance)
#   CONFORMANCE_JOBS   parallel compile jobs (default: nproc)
#   CONFORMANCE_CXXFLAGS  optimisation/extra flags (default: -O1; -O2 adds ~25%)
#   CONFORMANCE_CXX    C++ compiler (default: g++)
#
# Needs root (or passwordless sudo) only when something must be installed or
# the deb-src entry must be added.
set -euo pipefail

# Keep the real stdout on fd 3 for the final result; everything else -> stderr.
exec 3>&1 1>&2

log() { printf '[conformance-runner] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
cache_dir="${CONFORMANCE_CACHE:-$repo_root/.build-conformance}"
jobs="${CONFORMANCE_JOBS:-$(nproc 2>/dev/null || echo 2)}"
opt_flags="${CONFORMANCE_CXXFLAGS:--O1}"

deb_src_file=/etc/apt/sources.list.d/portal-deb-src.sources

mkdir -p "$cache_dir"
cache_dir="$(cd "$cache_dir" && pwd)"

# Serialise concurrent invocations sharing the same cache.
exec 9>"$cache_dir/.lock"
flock 9

# ---------------------------------------------------------------------------
# Privileged helpers (apt).
# ---------------------------------------------------------------------------
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_update() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get -q update >&2
    apt_updated=1
  fi
}

# ---------------------------------------------------------------------------
# 1. Build tools.
# ---------------------------------------------------------------------------
missing=()
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v dpkg-source >/dev/null 2>&1 || missing+=(dpkg-dev)
dpkg-query -W -f='${Status}' libprotobuf-dev 2>/dev/null | grep -q 'ok installed' ||
  missing+=(libprotobuf-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_update
  log "installing: ${missing[*]}"
  as_root apt-get -q install -y --no-install-recommends "${missing[@]}" >&2
fi

lib_version="$(dpkg-query -W -f='${Version}' libprotobuf-dev)"
log "libprotobuf-dev $lib_version, $(protoc --version)"

# ---------------------------------------------------------------------------
# 2. deb-src entry (derived from the machine's main Debian apt source).
# ---------------------------------------------------------------------------

# URIs of all configured deb-src entries (one-line and deb822 formats).
existing_deb_src_uris() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb-src [options] URI suite components...
    sed -nE 's/^[[:space:]]*deb-src[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() { if (types ~ /(^|[[:space:]])deb-src([[:space:]]|$)/ && enabled != "no") print uris
                         types = ""; uris = ""; enabled = "" }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      { key = tolower($1) }
      key == "types:"   { sub(/^[^:]*:[[:space:]]*/, ""); types = $0 }
      key == "uris:"    { sub(/^[^:]*:[[:space:]]*/, ""); uris = $0 }
      key == "enabled:" { sub(/^[^:]*:[[:space:]]*/, ""); enabled = tolower($0) }
      END { flush() }' "$f" | tr ' ' '\n'
  done
}

# Emit deb-src stanzas (deb822) for the enabled, non-security `deb` stanzas of
# a deb822 .sources file: same URIs/Suites/Components/Signed-By, Types changed.
derive_deb822() {
  awk '
    function flush(   i) {
      if (n > 0 && types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && enabled != "no" &&
          uris !~ /security/ && suites !~ /-security/) {
        if (out++) print ""
        print "Types: deb-src"
        for (i = 1; i <= n; i++) print lines[i]
      }
      n = 0; skip = 0; types = ""; uris = ""; suites = ""; enabled = ""
    }
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*$/ { flush(); next }
    /^[[:space:]]/   { if (!skip) lines[++n] = $0; next }   # continuation line
    {
      key = tolower($1); val = $0; sub(/^[^:]*:[[:space:]]*/, "", val)
      skip = 0
      if (key == "types:") { types = val; skip = 1; next }
      if (key == "architectures:") { skip = 1; next }
      if (key == "uris:") uris = val
      if (key == "suites:") suites = val
      if (key == "enabled:") enabled = tolower(val)
      lines[++n] = $0
    }
    END { flush() }' "$1"
}

# Same for the legacy one-line format: `deb ...` -> deb822 stanzas.
derive_one_line() {
  sed -nE 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?/\1 /p' "$1" |
    grep -v -- '-security' |
    awk '{
      opts = ""; signed = ""
      if ($1 ~ /^\[/) {                     # [signed-by=... arch=...]
        while ($1 !~ /\]$/) { opts = opts " " $1; $1 = ""; $0 = $0 }
        opts = opts " " $1; $1 = ""; $0 = $0
        if (match(opts, /signed-by=[^] ]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
      }
      if (out++) print ""
      print "Types: deb-src"; print "URIs: " $1; print "Suites: " $2
      comps = ""; for (i = 3; i <= NF; i++) comps = comps (i > 3 ? " " : "") $i
      print "Components: " comps
      if (signed != "") print "Signed-By: " signed
    }'
}

deb_src_added=0
ensure_deb_src() {
  [ -f "$deb_src_file" ] && return 0

  local stanza="" f
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    stanza="$(derive_deb822 /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$stanza" ]; then
    for f in /etc/apt/sources.list.d/*.sources; do
      if [ -f "$f" ] && grep -qi 'debian' "$f"; then
        stanza="$(derive_deb822 "$f")"
        [ -n "$stanza" ] && break
      fi
    done
  fi
  if [ -z "$stanza" ] && [ -f /etc/apt/sources.list ]; then
    stanza="$(derive_one_line /etc/apt/sources.list)"
  fi
  [ -n "$stanza" ] || die "could not find a Debian apt source to derive a deb-src entry from"

  # Already covered by an existing deb-src entry for the same URI(s)?
  local uri have
  have="$(existing_deb_src_uris | sed 's:/*$::' | sort -u)"
  for uri in $(printf '%s\n' "$stanza" | sed -n 's/^URIs:[[:space:]]*//p'); do
    if printf '%s\n' "$have" | grep -qxF "${uri%/}"; then
      log "deb-src entry for $uri already configured"
      return 0
    fi
  done

  log "adding $deb_src_file:"
  printf '%s\n' "$stanza" | sed 's/^/    /' >&2
  printf '# Added by scripts/conformance-runner.sh (protobuf conformance runner build)\n%s\n' \
    "$stanza" | as_root tee "$deb_src_file.tmp" >/dev/null
  as_root mv "$deb_src_file.tmp" "$deb_src_file"
  deb_src_added=1 # its Sources index must be fetched
}

# ---------------------------------------------------------------------------
# 3. Protobuf source package (version-matched to the installed library).
# ---------------------------------------------------------------------------
src_root="$cache_dir/src"
src_dir="$src_root/protobuf-$lib_version"

# download_source DIR PACKAGE-SPEC: fetch .dsc/.orig/.debian files into DIR.
download_source() {
  rm -rf "$1" && mkdir -p "$1"
  # Download as the invoking user (avoids apt's "_apt sandbox" warning).
  (cd "$1" && apt-get -q -o APT::Sandbox::User="$(id -un)" source --download-only "$2" >&2)
}

fetch_source() {
  ensure_deb_src
  # Need a current Sources index: update when the deb-src entry was just added
  # or apt doesn't know the source package yet (fresh machine).
  if [ "$deb_src_added" -eq 1 ] ||
     ! apt-cache showsrc protobuf 2>/dev/null | grep -q '^Package: protobuf$'; then
    apt_update
  fi

  local dl="$src_root/download.tmp" ver
  log "downloading protobuf source package ($lib_version)"
  if ! download_source "$dl" "protobuf=$lib_version"; then
    # Possibly a stale Sources index: refresh once and retry, else fall back
    # to whatever version apt offers (the runner only needs matching protos).
    if [ "$apt_updated" -eq 1 ] || { apt_update; ! download_source "$dl" "protobuf=$lib_version"; }; then
      log "WARNING: protobuf=$lib_version source not available; using apt's candidate"
      download_source "$dl" protobuf || die "apt-get source protobuf failed"
    fi
  fi

  local dscs=("$dl"/protobuf_*.dsc) dsc
  dsc="${dscs[0]}"
  [ -f "$dsc" ] || die "no .dsc downloaded"
  ver="$(sed -n 's/^Version:[[:space:]]*//p' "$dsc" | head -n 1)"
  log "unpacking $(basename "$dsc")"
  rm -rf "$src_root/unpack.tmp"
  dpkg-source --no-check -x "$dsc" "$src_root/unpack.tmp" >&2
  rm -rf "$src_root/protobuf-$ver"
  mv "$src_root/unpack.tmp" "$src_root/protobuf-$ver"
  rm -rf "$dl"
  if [ "$ver" != "$lib_version" ]; then
    # Remember the fallback so later runs don't hit the network again.
    ln -sfn "protobuf-$ver" "$src_dir"
  fi
}

if [ ! -f "$src_dir/conformance/conformance_test_runner.cc" ]; then
  mkdir -p "$src_root"
  fetch_source
fi
src_dir="$(cd "$src_dir" && pwd -P)"
log "protobuf source: $src_dir"

# ---------------------------------------------------------------------------
# 4. Build.
# ---------------------------------------------------------------------------
conf_dir="$src_dir/conformance"
build_dir="$cache_dir/build"
gen_dir="$build_dir/gen"
obj_dir="$build_dir/obj"
binary="$build_dir/conformance_test_runner"
stamp="$build_dir/stamp"

protos=(
  "$conf_dir/conformance.proto"
  "$src_dir/src/google/protobuf/test_messages_proto3.proto"
  "$src_dir/src/google/protobuf/test_messages_proto2.proto"
)
# Runner sources as listed in conformance/Makefile.am (conformance_test_runner).
runner_sources=(
  conformance_test.cc
  conformance_test_main.cc
  conformance_test_runner.cc
  binary_json_conformance_suite.cc
  text_format_conformance_suite.cc
)
jsoncpp=""
for candidate in "$conf_dir/third_party/jsoncpp/jsoncpp.cpp" \
                 "$src_dir/third_party/jsoncpp/jsoncpp.cpp"; do
  if [ -f "$candidate" ]; then jsoncpp="$candidate"; break; fi
done
[ -n "$jsoncpp" ] || die "bundled jsoncpp not found in $src_dir"
for f in "${runner_sources[@]}"; do
  [ -f "$conf_dir/$f" ] || die "missing runner source: $conf_dir/$f"
done

cxx="${CONFORMANCE_CXX:-g++}"
read -r -a opt_arr <<<"$opt_flags"
cxxflags=(-std=c++17 "${opt_arr[@]}" -pthread -w)
# Generated code and the runner's own headers first; the system protobuf
# headers next; finally the source tree's src/ for internal headers that
# libprotobuf-dev doesn't ship (e.g. google/protobuf/stubs/stringprintf.h).
includes=(-I"$gen_dir" -I"$conf_dir" -I"$(dirname "$jsoncpp")/../.." -idirafter "$src_dir/src")
ldlibs=(-lprotobuf -lpthread)

# Everything that affects the output; a change forces a rebuild.
stamp_text="src=$src_dir lib=$lib_version protoc=$(protoc --version) cxx=$("$cxx" -dumpfullversion 2>/dev/null || true) flags=${cxxflags[*]}"

needs_build() {
  [ -x "$binary" ] || return 0
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] || return 0
  # Rebuild if any input is newer than the binary (flags etc. are in the stamp).
  local newer
  newer="$(find "${protos[@]}" "$conf_dir" "$jsoncpp" -newer "$binary" \
             \( -name '*.cc' -o -name '*.cpp' -o -name '*.h' -o -name '*.proto' \) \
             -print -quit 2>/dev/null || true)"
  [ -n "$newer" ]
}

build() {
  local start=$SECONDS
  rm -rf "$gen_dir" "$obj_dir" "$stamp" # a failed build must not look current
  mkdir -p "$gen_dir" "$obj_dir"

  log "protoc: generating C++ for conformance.proto, test_messages_proto{2,3}.proto"
  protoc --cpp_out="$gen_dir" -I"$conf_dir" -I"$src_dir/src" "${protos[@]}"

  local sources=()
  for f in "${runner_sources[@]}"; do sources+=("$conf_dir/$f"); done
  sources+=("$jsoncpp" "$gen_dir/conformance.pb.cc"
            "$gen_dir/google/protobuf/test_messages_proto3.pb.cc"
            "$gen_dir/google/protobuf/test_messages_proto2.pb.cc")

  log "compiling ${#sources[@]} files with $cxx ${cxxflags[*]} (-j$jobs)"
  # Object names are derived from the source base names (all distinct).
  # shellcheck disable=SC2016 # $1 etc. are expanded by the inner sh
  printf '%s\n' "${sources[@]}" |
    xargs -P "$jobs" -I{} sh -c \
      'src="$1"; shift; obj="$1"; shift; b=$(basename "$src"); b=${b%.*}
       echo "  CXX $b" >&2
       exec "$@" -c "$src" -o "$obj/$b.o"' \
      sh {} "$obj_dir" "$cxx" "${cxxflags[@]}" "${includes[@]}" ||
    die "compilation failed"

  log "linking $binary"
  "$cxx" "${cxxflags[@]}" -o "$binary.tmp" "$obj_dir"/*.o "${ldlibs[@]}"
  mv -f "$binary.tmp" "$binary"
  printf '%s\n' "$stamp_text" >"$stamp"
  log "build finished in $((SECONDS - start)) s"
}

if needs_build; then
  build
else
  log "up to date: $binary"
fi

# ---------------------------------------------------------------------------
# 5. Smoke test: the runner rejects --help with its usage text (exit 1).
# ---------------------------------------------------------------------------
usage_out="$("$binary" --help 2>&1 || true)"
if ! printf '%s\n' "$usage_out" | grep -q 'Usage: conformance-test-runner'; then
  printf '%s\n' "$usage_out" >&2
  die "built runner does not start correctly: $binary"
fi
log "runner OK"

printf '%s\n' "$binary" >&3
