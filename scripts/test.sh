#!/usr/bin/env bash
# Runs every test of CitizenPortal on a fresh Debian/Ubuntu machine with Swift 6.1+:
#   1. installs the system packages the checks need (protoc, libprotobuf, python3-protobuf,
#      a C++ compiler for protobuf's conformance runner),
#   2. builds every product (the schema is compiled by our plugin during the build),
#   3. runs protobuf's official conformance suite against conformance-testee (proto3 binary and
#      JSON: 1364 successes, 713 of them JSON, 0 failures required),
#   4. checks interop with the official Python protobuf runtime on random messages of every
#      Schema type,
#   5. drives a live portal-server with a Python client written only from docs/PROTOCOL.md,
#   6. runs the C client's scenario (clients/c: protoc-c code from Schema/) against a live server,
#   7. kills the server with SIGKILL under load and checks every acknowledged complaint survived,
#   8. attacks a live server with hostile traffic (bad prefaces, huge lengths, stream and
#      metadata floods, slow readers, slowloris, a descriptor flood; and on the HTTP gateway:
#      other protocols, oversize heads and bodies, smuggling shapes, slow heads and bodies,
#      silent and non-reading clients, a connection flood), then overloads it at twice
#      its saturation rate: it must shed, stay bounded and recover (docs/RELIABILITY.md),
#   9. drives the dashboards in headless Chromium through the HTTP gateway: a Deputy
#      Commissioner signs in, assigns and resolves a complaint; the public page's figures must
#      equal the API's (screenshots in .build/browser-artefacts),
#  10. runs `swift test` (unit tests, protoc cross-checks of the schema compiler, fuzz
#      regression replays) last, so its summary closes the output.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-packages.sh protobuf-compiler libprotobuf-dev python3-protobuf dpkg-dev g++ \
    libsqlite3-dev libcrypt-dev protobuf-c-compiler libprotobuf-c-dev chromium python3-websocket fonts-noto-core

echo "== swift build (all products)"
swift build

echo "== protobuf conformance (proto3, binary and JSON)"
# 1364 = 651 binary + 713 JSON (JSON input or output). The verbose log names every test, so
# the JSON ones can be counted; the per-category table it adds is not printed here.
CONFORMANCE_VERBOSE=1 CONFORMANCE_LOG=.build/conformance.log EXPECT_SUCCESSES=1364 \
    bash scripts/run-conformance.sh .build/debug/conformance-testee | grep -vE '^  |^per-category'
json_passed="$(awk '
    /^conformance test: name=/ { t = $0; sub(/^conformance test: name=/, "", t); sub(/, request=.*/, "", t)
                                 if (t ~ /Json(Input|Output)/) seen[t] = 1; next }
    /^(SKIPPED|ERROR|WARNING), test=/ { t = $2; sub(/^test=/, "", t); sub(/:$/, "", t); bad[t] = 1 }
    END { n = 0; for (t in seen) if (!(t in bad)) n++; print n }' .build/conformance.log)"
echo "conformance JSON: $json_passed passed (of the successes above; 713 expected)"
[ "$json_passed" -ge 713 ] || { echo "only $json_passed JSON conformance tests passed, expected 713"; exit 1; }

echo "== interop with Python protobuf"
/usr/bin/python3 Tests/Interop/interop.py --tool .build/debug/interop-tool

echo "== Python client (written from docs/PROTOCOL.md) against a live portal-server"
/usr/bin/python3 clients/python/test_protocol.py --server .build/debug/portal-server

echo "== C client scenario (clients/c) against a live portal-server"
bash clients/c/run-scenario.sh .build/debug/portal-server

echo "== demo: the whole complaint story with portal-client against a --dev server (scripts/demo.sh --start)"
if ! PORTAL_CLIENT_BIN=.build/debug/portal-client PORTAL_SERVER_BIN=.build/debug/portal-server \
        bash scripts/demo.sh --start > .build/demo.log 2>&1; then
    tail -40 .build/demo.log
    echo "demo.sh failed (full output in .build/demo.log)"
    exit 1
fi
tail -1 .build/demo.log

echo "== crash durability: kill -9 under FileComplaint load, restart, every acknowledged complaint present"
/usr/bin/python3 Tests/Reliability/crash_durability.py --server .build/debug/portal-server --rounds 4

echo "== hostile traffic and overload against a live portal-server (docs/RELIABILITY.md)"
/usr/bin/python3 Tests/Reliability/hostile_traffic.py --server .build/debug/portal-server
/usr/bin/python3 Tests/Reliability/hostile_http.py --server .build/debug/portal-server
/usr/bin/python3 Tests/Reliability/overload.py --server .build/debug/portal-server

echo "== dashboards in headless Chromium through the HTTP gateway (Tests/Browser)"
/usr/bin/python3 Tests/Browser/browser_test.py .build/debug/portal-server --artefacts .build/browser-artefacts

echo "== swift test"
swift test
