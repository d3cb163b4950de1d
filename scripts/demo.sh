#!/usr/bin/env bash
# The whole CitizenPortal story, told with portal-client: an admin creates a Deputy Commissioner
# of Peshawar and a department officer, a citizen registers and verifies his mobile from the
# SMS outbox, files a complaint with a photo, the DC assigns it, the officer resolves it, the
# citizen reads his messages, is not satisfied and reopens it, and the escalation policy is
# set to its minimum to show how the complaint would climb to the Commissioner.
#
#   bash scripts/demo.sh --start            # easiest: starts its own server on a temp data dir
#   PORTAL_ADMIN_PASSWORD=… bash scripts/demo.sh [--server HOST:PORT] [--data DIR]
#
# Exits non-zero as soon as any step fails (with the failing command's status).
set -Eeuo pipefail

usage() {
    cat <<'EOF'
usage: scripts/demo.sh [--start] [--server HOST:PORT] [--data DIR] [--config DIR]

  --start            start a portal-server of our own on a free port with a fresh temporary
                     data folder (stopped and removed at the end); the admin password is
                     PORTAL_ADMIN_PASSWORD or a generated one. The easy path.
  --server HOST:PORT the running server to use (default 127.0.0.1:50051; ignored with --start)
  --data DIR         that server's data folder, where sms-outbox.log is (default ./data)
  --config DIR       keep the demo's portal-client profiles here (default: a temporary folder,
                     removed at the end); profiles demo-admin, demo-dc, demo-officer, demo-citizen

environment:
  PORTAL_ADMIN_PASSWORD  the admin's password (required without --start)
  PORTAL_CLIENT_BIN      portal-client to use (default: built with swift build)
  PORTAL_SERVER_BIN      portal-server for --start (default: built with swift build)
  SWIFT_BUILD_FLAGS      extra flags for those builds, e.g. "--scratch-path .build-client"
EOF
}

SERVER=127.0.0.1:50051
DATA=./data
START=0
CONFIG=""
while [ $# -gt 0 ]; do
    case "$1" in
        --start) START=1 ;;
        --server) SERVER="${2:?--server needs HOST:PORT}"; shift ;;
        --data) DATA="${2:?--data needs a folder}"; shift ;;
        --config) CONFIG="${2:?--config needs a folder}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "demo.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

cd "$(dirname "$0")/.."
exec 3>&1   # narration goes to fd 3, so it shows even inside $(…)

if [ -t 1 ]; then BOLD=$'\033[1m' DIM=$'\033[2m' PLAIN=$'\033[0m'; else BOLD="" DIM="" PLAIN=""; fi
bold() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN" >&3; }
say() { printf '%s\n' "$*" >&3; }
fail() { echo "demo.sh: $*" >&2; exit 1; }

# --- binaries ----------------------------------------------------------------------------------
# shellcheck disable=SC2086  # SWIFT_BUILD_FLAGS is a list of flags
build() {
    say "building $1 (swift build --product $1 ${SWIFT_BUILD_FLAGS:-})…"
    swift build --product "$1" ${SWIFT_BUILD_FLAGS:-} >&2
    echo "$(swift build --show-bin-path ${SWIFT_BUILD_FLAGS:-})/$1"
}
CLIENT_BIN="${PORTAL_CLIENT_BIN:-}"
[ -n "$CLIENT_BIN" ] || CLIENT_BIN="$(build portal-client)"
[ -x "$CLIENT_BIN" ] || { echo "demo.sh: $CLIENT_BIN is not executable" >&2; exit 2; }

# --- scratch space, our own server, cleanup -----------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/portal-demo.XXXXXX")"
SERVER_PID=""
WATCH_PID=""
cleanup() {
    local status=$?
    if [ -n "$WATCH_PID" ]; then kill "$WATCH_PID" 2>/dev/null || true; fi
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ $status -ne 0 ] && [ -f "$WORK/server.log" ]; then
        echo "--- last lines of the server's log ---" >&2
        tail -n 20 "$WORK/server.log" >&2 || true
    fi
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT
# A failing step names its portal-client command (also from inside $(…), once).
on_error() {
    local status=$?
    if [ -n "${CURRENT:-}" ]; then
        echo "demo.sh: step failed (status $status): $CURRENT" >&2
        : > "$WORK/.failed"
    elif [ ! -e "$WORK/.failed" ]; then
        echo "demo.sh: step failed (status $status): $BASH_COMMAND" >&2
    fi
    exit $status
}
trap on_error ERR
trap 'exit 130' INT TERM

if [ "$START" = 1 ]; then
    SERVER_BIN="${PORTAL_SERVER_BIN:-}"
    [ -n "$SERVER_BIN" ] || SERVER_BIN="$(build portal-server)"
    DATA="$WORK/data"
    export PORTAL_ADMIN_PASSWORD="${PORTAL_ADMIN_PASSWORD:-Demo-admin-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}"
    bold "Starting portal-server on a free port with data in $DATA"
    "$SERVER_BIN" --host 127.0.0.1 --port 0 --data "$DATA" --event-loops 1 --dev > "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        if grep -q 'listening on' "$WORK/server.log" 2>/dev/null; then break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "demo.sh: portal-server exited:" >&2; cat "$WORK/server.log" >&2; exit 1; }
        sleep 0.1
    done
    SERVER="$(sed -n 's/^portal-server listening on \([^ ]*\) .*/\1/p' "$WORK/server.log")"
    [ -n "$SERVER" ] || { echo "demo.sh: portal-server did not start within 30 s" >&2; exit 1; }
    say "listening on $SERVER (pid $SERVER_PID)"
else
    if [ -z "${PORTAL_ADMIN_PASSWORD:-}" ]; then
        echo "demo.sh: set PORTAL_ADMIN_PASSWORD to the admin's password, or use --start" >&2
        exit 2
    fi
    [ -d "$DATA" ] || { echo "demo.sh: no data folder $DATA (give the server's --data folder with --data)" >&2; exit 2; }
fi
OUTBOX="$DATA/sms-outbox.log"

if [ -n "$CONFIG" ]; then
    mkdir -p "$CONFIG"
    XDG_CONFIG_HOME="$(cd "$CONFIG" && pwd)"
    export XDG_CONFIG_HOME
else
    export XDG_CONFIG_HOME="$WORK/config"
fi
unset PORTAL_SERVER PORTAL_PASSWORD

# pc ARGS…: shows the command, then runs portal-client against the demo's server.
pc() {
    local shown="" a
    for a in "$@"; do
        case "$a" in *[[:space:]\'\"\$]*) shown+=" '${a//\'/\'\\\'\'}'" ;; *) shown+=" $a" ;; esac
    done
    printf '%s$ portal-client%s%s\n' "$DIM" "$shown" "$PLAIN" >&3
    CURRENT="portal-client$shown"
    "$CLIENT_BIN" --server "$SERVER" "$@"
    CURRENT=""
}

# Unique names, so the demo can run again against the same server.
N="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
SERIAL="$(printf '%07d' $((N % 10000000)))"
CNIC="17301-$SERIAL-$((N % 10))"
MOBILE="0345$SERIAL"
MOBILE_E164="+92${MOBILE#0}"
CITIZEN_PASSWORD="Gulbahar-street-${SERIAL}x"
TAG="$((N % 100000))"

# --------------------------------------------------------------------------------------------------
bold "0. The server is up"
pc health

bold "1. The admin signs in (password from PORTAL_ADMIN_PASSWORD, never on the command line)"
PORTAL_PASSWORD="$PORTAL_ADMIN_PASSWORD" pc --profile demo-admin officer-login --username admin

bold "2. The admin creates the Deputy Commissioner of Peshawar (PSH) and a Public Health officer there"
OUT="$(pc --profile demo-admin --field staff.id --field oneTimePassword \
    create-staff --username "dc.psh.$TAG" --name "Sana Gul" --role dc --jurisdiction PSH --designation "Deputy Commissioner Peshawar")"
{ read -r DC_ID; read -r DC_OTP; } <<< "$OUT"
OUT="$(pc --profile demo-admin --field staff.id --field oneTimePassword \
    create-staff --username "phe.psh.$TAG" --name "Bilal Ahmad" --role officer --jurisdiction PSH --department PHE --designation "SDO Public Health Engineering")"
{ read -r OFFICER_ID; read -r OFFICER_OTP; } <<< "$OUT"
if [ -z "$DC_OTP" ] || [ -z "$OFFICER_OTP" ]; then fail "create-staff printed no one-time password"; fi
say "DC is staff $DC_ID, the officer staff $OFFICER_ID; each got a one-time password (kept in shell variables)"
pc --profile demo-admin staff --jurisdiction PSH

bold "3. Both sign in with their one-time passwords"
PORTAL_PASSWORD="$DC_OTP" pc --profile demo-dc officer-login --username "dc.psh.$TAG"
PORTAL_PASSWORD="$OFFICER_OTP" pc --profile demo-officer officer-login --username "phe.psh.$TAG"

bold "4. A citizen registers; the SMS code is read from the server's outbox ($OUTBOX)"
PORTAL_PASSWORD="$CITIZEN_PASSWORD" pc --profile demo-citizen register \
    --name "Ayesha Khan" --cnic "$CNIC" --mobile "$MOBILE" --district PSH
CODE=""
for _ in $(seq 1 50); do
    CODE="$(grep -F $'\t'"$MOBILE_E164"$'\t' "$OUTBOX" 2>/dev/null | tail -n 1 | grep -o 'code: [0-9]\{6\}' | cut -c7- || true)"
    [ -n "$CODE" ] && break
    sleep 0.1
done
[ -n "$CODE" ] || fail "no SMS for $MOBILE_E164 in $OUTBOX (is --data the server's data folder?)"
say "outbox: $(grep -F $'\t'"$MOBILE_E164"$'\t' "$OUTBOX" | tail -n 1 | cut -f2-)"
pc --profile demo-citizen verify "$CODE"
PORTAL_PASSWORD="$CITIZEN_PASSWORD" pc --profile demo-citizen login --cnic "$CNIC"

bold "5. The citizen photographs the dry tap (a real 1×1 JPEG) and uploads it"
JPEG="$WORK/dry-tap.jpg"
{
    printf '\xff\xd8'                                                   # SOI
    printf '\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00' # APP0 JFIF 1.01
    printf '\xff\xdb\x00\x43\x00'; printf '\x01%.0s' $(seq 64)          # DQT: table 0, all ones
    printf '\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00'       # SOF0: 8-bit, 1×1, 1 component
    printf '\xff\xc4\x00\x14\x00\x01'; printf '\x00%.0s' $(seq 15); printf '\x00'  # DHT DC0: one code, category 0
    printf '\xff\xc4\x00\x14\x10\x01'; printf '\x00%.0s' $(seq 15); printf '\x00'  # DHT AC0: one code, EOB
    printf '\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00'                   # SOS
    printf '\x3f'                                                       # DC diff 0, EOB, padding
    printf '\xff\xd9'                                                   # EOI
} > "$JPEG"
say "wrote $JPEG ($(wc -c < "$JPEG") bytes; one mid-grey pixel)"
PHOTO="$(pc --profile demo-citizen --field id upload "$JPEG")"
say "attachment id: $PHOTO"

bold "6. The citizen files the complaint with the photo and the GPS position"
COMPLAINT="$(pc --profile demo-citizen --field code file-complaint --category water-supply \
    --description "No water supply in Gulbahar, street 4, for five days. The main line seems broken near house 12." \
    --lat 34.0151 --lon 71.5249 --accuracy 12 --address "House 12, Street 4, Gulbahar, Peshawar" --attach "$PHOTO" \
    --key "demo-$SERIAL")"
say "filed $COMPLAINT"
pc --profile demo-citizen track "$COMPLAINT"

bold "7. The DC sees it in his queue, with the complainant's contact, and assigns it to the officer"
pc --profile demo-dc queue --status new
pc --profile demo-dc show "$COMPLAINT"
pc --profile demo-dc assign "$COMPLAINT" "$OFFICER_ID" --remark "Please restore the supply today."

bold "8. The citizen watches live while the officer resolves it"
LAST="$(pc --profile demo-citizen --field lastSequence messages)"
"$CLIENT_BIN" --server "$SERVER" --profile demo-citizen watch --from "$LAST" --count 1 > "$WORK/watch.out" 2>&1 &
WATCH_PID=$!
sleep 1
pc --profile demo-officer queue
pc --profile demo-officer resolve "$COMPLAINT" --remarks "Broken pipe replaced near house 12; supply restored."
for _ in $(seq 1 150); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$WATCH_PID" 2>/dev/null; then fail "the citizen's watch saw no update within 15 s"; fi
wait "$WATCH_PID" || fail "the citizen's watch failed: $(cat "$WORK/watch.out")"
WATCH_PID=""
say "the citizen's 'watch --from $LAST --count 1' printed, as it happened:"
sed 's/^/  | /' "$WORK/watch.out" >&3

bold "9. The citizen reads his message box"
pc --profile demo-citizen messages
pc --profile demo-citizen mark-read

bold "10. Not satisfied: the citizen rates the resolution and reopens the complaint"
pc --profile demo-citizen feedback "$COMPLAINT" --unsatisfied --time 2 --quality 1 \
    --comment "Water came for one hour only; still dry in the evening." --reopen
pc --profile demo-dc queue --status reopened

bold "11. Escalation"
if [ "$START" = 1 ]; then
    say "Nobody acts for 15 days: the development server's clock moves (portal-server --dev,"
    say "AdminService.AdvanceClock), and the escalation scan sends the complaint to the Commissioner."
    pc --profile demo-admin advance-clock --days 15
    OUT="$(pc --profile demo-citizen --field tier track "$COMPLAINT")"
    [ "$OUT" = "TIER_DIVISION" ] || fail "after 15 days $COMPLAINT is at $OUT, not TIER_DIVISION"
    say "7 more days: the Chief Secretary."
    pc --profile demo-admin advance-clock --days 7
    OUT="$(pc --profile demo-citizen --field tier track "$COMPLAINT")"
    [ "$OUT" = "TIER_PROVINCE" ] || fail "after 22 days $COMPLAINT is at $OUT, not TIER_PROVINCE"
    pc --profile demo-citizen messages --unread
else
    say "Against an existing server the clock cannot move (only a --dev server allows it): showing"
    say "the escalation policy instead. Unresolved complaints escalate after its thresholds."
    pc --profile demo-admin policy
fi
pc --profile demo-dc dashboard

bold "12. Every step is in the tamper-evident audit log"
pc --profile demo-admin verify-audit

bold "Done: $COMPLAINT went NEW → ASSIGNED → RESOLVED → REOPENED (→ escalated with --start); every call succeeded."
if [ -n "$CONFIG" ]; then
    say "The profiles stay in $CONFIG: XDG_CONFIG_HOME=$XDG_CONFIG_HOME portal-client --profile demo-citizen track $COMPLAINT"
fi
