#!/usr/bin/env bash
# Builds the C client (installing its Debian packages when missing), starts a portal-server on a
# free port with a fresh data directory, runs portal-c-scenario against it, stops the server,
# removes the data directory, and exits with the scenario's status (0: every step passed).
#
#   bash clients/c/run-scenario.sh [PATH/TO/portal-server]     (default .build/debug/portal-server)
#
# The server is not built here: `swift build --product portal-server` first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server="${1:-.build/debug/portal-server}"
[[ -x "$server" || "$server" == /* ]] || server="$root/$server"   # relative to the repository too
if [[ ! -x "$server" ]]; then
    echo "run-scenario: no portal-server at ${1:-.build/debug/portal-server} (swift build --product portal-server)" >&2
    exit 2
fi

packages=(protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev make gcc)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "== installing ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
        sudo_cmd=(sudo)
    fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== building the C client (clients/c/build)"
make -s -C "$here" >/dev/null

work="$(mktemp -d "${TMPDIR:-/tmp}/portal-c-scenario.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$work/data"
# stdbuf: the listening line must reach the log file at once, whatever stdout buffering does.
buffer=()
command -v stdbuf >/dev/null && buffer=(stdbuf -oL -eL)
"${buffer[@]}" "$server" --port 0 --data "$work/data" >"$work/server.log" 2>&1 </dev/null &
server_pid=$!

address=""
for _ in $(seq 300); do     # up to 30 s: a first start creates and seeds the database
    address="$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/server.log" | head -n 1)"
    [[ -n "$address" ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$address" ]]; then
    echo "run-scenario: portal-server did not print its listening line; its output:" >&2
    sed 's/^/    /' "$work/server.log" >&2
    exit 1
fi
echo "== portal-c-scenario against $address (data $work/data)"

status=0
"$here/build/portal-c-scenario" "$address" "$work/data" || status=$?
if ((status != 0)); then
    echo "run-scenario: the scenario failed (exit $status); the server's output:" >&2
    grep -v 'one-time password' "$work/server.log" | sed 's/^/    /' >&2 || true
fi
exit "$status"
