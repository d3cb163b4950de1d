#!/usr/bin/env bash
# Starts portal-server on its embedded default (127.0.0.1:50051, data in ./data, seeded with
# Khyber Pakhtunkhwa's jurisdictions) after installing the system libraries it links
# (libsqlite3-dev, libcrypt-dev) if they are missing. Arguments go to portal-server
# (`bash scripts/run-server.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh libsqlite3-dev libcrypt-dev
exec swift run portal-server "$@"
