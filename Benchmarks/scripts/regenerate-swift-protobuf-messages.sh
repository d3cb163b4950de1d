#!/usr/bin/env bash
# regenerate-swift-protobuf-messages.sh — rewrite Sources/SwiftProtobufMessages from the .proto
# files with Debian's protoc and an already built protoc-gen-swift 1.39.0. It does not build
# swift-protobuf; see README.md for how the plugin was built.
#
# Usage: scripts/regenerate-swift-protobuf-messages.sh PATH/TO/protoc-gen-swift
set -euo pipefail
plugin="${1:?usage: $0 PATH/TO/protoc-gen-swift (version 1.39.0)}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/Sources/SwiftProtobufMessages"

version="$("$plugin" --version)"
[ "$version" = "protoc-gen-swift 1.39.0" ] || { echo "need protoc-gen-swift 1.39.0, got: $version" >&2; exit 1; }
echo "using $(protoc --version) and $version" >&2

rm -rf "$out/google" "$out/portal"
cd "$root"
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_out="$out" \
  -I Tests/Conformance/protos -I /usr/include \
  google/protobuf/test_messages_proto3.proto
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_out="$out" \
  -I Schema -I /usr/include \
  portal/v1/common.proto portal/v1/complaint.proto
find "$out" -name '*.pb.swift' | sort >&2
