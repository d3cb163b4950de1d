#!/usr/bin/env python3
"""Regenerates the seed corpora and dictionaries of FuzzFrameDecoder and FuzzSchemaParser:

    Corpus/FuzzFrameDecoder/*   byte 0 limits, byte 1 chunk-plan length, the plan, then the bytes
                                a client sends (see Sources/FuzzFrameDecoder/FrameFuzzCheck.swift)
    Corpus/FuzzSchemaParser/*   .proto files: Schema/, the SchemaCompilerTests corpus (accept
                                and reject), the well-known types, and a few that use the
                                fuzzer's in-memory imports (dep.proto, public.proto, a cycle)
    FuzzFrameDecoder.dict, FuzzSchemaParser.dict

Python standard library only (the few protobuf messages are encoded by hand). Deterministic:

    python3 FuzzTesting/make_corpus_rpc_schema.py
"""

import glob
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PREFACE = b"PRPC\r\n\x1a\x01"
SETTINGS, CALL, MESSAGE, STATUS, CANCEL, WINDOW_UPDATE, PING, GOAWAY = range(1, 9)
END_STREAM, ACK, EMPTY = 1, 2, 4

# Byte 0 of an input (FrameFuzzLimits): bits 0-2 max frame size, bits 3-4 server limits,
# bit 5 client side.
MAX_4MIB, MAX_16K, MAX_1024, MAX_256, MAX_64, MAX_16, MAX_1, MAX_0 = range(8)
DEFAULTS, TINY, TINY_WINDOWS, DRAINING = (0 << 3, 1 << 3, 2 << 3, 3 << 3)
CLIENT = 0x20


# --- protobuf, by hand ---------------------------------------------------------------------

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def vfield(number, value):
    return varint(number << 3) + varint(value) if value else b""


def lfield(number, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data if data else b""


def settings(max_frame_size=0, max_concurrent_streams=0, initial_window_size=0, max_metadata_size=0):
    return (vfield(1, max_frame_size) + vfield(2, max_concurrent_streams) + vfield(3, initial_window_size)
            + vfield(4, max_metadata_size))


def call(method, timeout_ms=0, metadata=()):
    out = lfield(1, method) + vfield(2, timeout_ms)
    for k, v in metadata:
        out += varint(3 << 3 | 2) + varint(len(lfield(1, k) + lfield(2, v))) + lfield(1, k) + lfield(2, v)
    return out


def status(code, message=""):
    return vfield(1, code) + lfield(2, message)


def goaway(last_stream, code, message=""):
    return vfield(1, last_stream) + vfield(2, code) + lfield(3, message)


# --- frames --------------------------------------------------------------------------------

def frame(type_, stream=0, flags=0, payload=b"", length=None, reserved=0):
    n = len(payload) if length is None else length
    return struct.pack(">IIBBH", n, stream, type_, flags, reserved) + payload


def window_update(stream, increment):
    return frame(WINDOW_UPDATE, stream, 0, struct.pack(">I", increment))


def ping(data=b"\x01\x02\x03\x04\x05\x06\x07\x08", flags=0):
    return frame(PING, 0, flags, data)


HANDSHAKE = PREFACE + frame(SETTINGS)


def unary(stream, method="/u", request=b"\x0a\x05hello"):
    return frame(CALL, stream, 0, call(method)) + frame(MESSAGE, stream, END_STREAM, request)


def frame_input(limits, stream_bytes, plan=()):
    assert len(plan) < 16
    return bytes([limits, len(plan)]) + bytes(plan) + stream_bytes


def frame_corpus():
    c = {}
    # Handshakes.
    c["handshake-empty-settings"] = frame_input(0, HANDSHAKE)
    c["handshake-settings-values-and-ack"] = frame_input(0, PREFACE + frame(SETTINGS, 0, 0, settings(16384, 100, 65535, 4096))
                                                         + frame(SETTINGS, 0, ACK))
    c["handshake-second-settings"] = frame_input(0, HANDSHAKE + frame(SETTINGS, 0, 0, settings(1 << 20, 0, 8)) + unary(1))
    c["handshake-max-frame-size-below-minimum"] = frame_input(0, PREFACE + frame(SETTINGS, 0, 0, settings(16383)))
    c["handshake-settings-undecodable"] = frame_input(0, PREFACE + frame(SETTINGS, 0, 0, b"\x0a\xff"))
    c["handshake-preface-only"] = frame_input(0, PREFACE)
    c["handshake-partial-preface"] = frame_input(0, PREFACE[:5])
    c["handshake-call-before-settings"] = frame_input(0, PREFACE + unary(1))
    c["bad-preface-http"] = frame_input(0, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    c["bad-preface-tls-hello"] = frame_input(0, bytes([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03]))
    c["bad-preface-version-2"] = frame_input(0, PREFACE[:7] + b"\x02" + frame(SETTINGS))
    # Calls.
    c["unary-call"] = frame_input(0, HANDSHAKE + unary(1))
    c["unary-call-chunks-1"] = frame_input(0, HANDSHAKE + unary(1), [1])
    c["unary-call-chunks-3-7"] = frame_input(0, HANDSHAKE + unary(1), [3, 7])
    c["unary-call-chunks-5-1-12-2-0"] = frame_input(0, HANDSHAKE + unary(1) + unary(3), [5, 1, 12, 2, 0])
    c["unary-health-check"] = frame_input(0, HANDSHAKE + unary(1, "/grpc.health.v1.Health/Check", b""))
    c["unary-empty-request"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/u")) + frame(MESSAGE, 1, END_STREAM))
    c["unary-no-request"] = frame_input(0, HANDSHAKE + frame(CALL, 1, END_STREAM, call("/u")))
    c["unary-two-requests"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/u")) + frame(MESSAGE, 1, 0, b"a")
                                          + frame(MESSAGE, 1, END_STREAM, b"b"))
    c["unary-parked-then-empty-end"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/u")) + frame(MESSAGE, 1, 0, b"req")
                                                   + frame(MESSAGE, 1, END_STREAM | EMPTY))
    c["call-metadata-timeout"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/u", 2**64 - 1, [("authorization", "Bearer x"), ("k", "")]))
                                             + frame(MESSAGE, 1, END_STREAM, b"x"))
    c["call-unknown-method"] = frame_input(0, HANDSHAKE + unary(1, "/nope.Service/Nope"))
    c["call-undecodable"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, b"\x0a\x05ab"))
    c["call-empty-payload"] = frame_input(0, HANDSHAKE + frame(CALL, 1))
    c["call-even-stream"] = frame_input(0, HANDSHAKE + unary(2))
    c["call-stream-not-above-last"] = frame_input(0, HANDSHAKE + unary(5) + unary(3))
    c["call-stream-already-open"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(CALL, 1, 0, call("/s")))
    c["call-max-stream-id"] = frame_input(0, HANDSHAKE + unary(0x7FFFFFFF) + unary(0xFFFFFFFF))
    c["streaming-call"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(MESSAGE, 1, 0, b"one")
                                      + frame(MESSAGE, 1, 0, b"two") + frame(MESSAGE, 1, 0, b"") + frame(MESSAGE, 1, END_STREAM | EMPTY))
    c["streaming-health-watch"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/grpc.health.v1.Health/Watch"))
                                              + frame(MESSAGE, 1, END_STREAM, b""))
    c["message-after-half-close"] = frame_input(0, HANDSHAKE + frame(CALL, 1, END_STREAM, call("/s")) + frame(MESSAGE, 1, 0, b"late"))
    c["message-never-opened"] = frame_input(0, HANDSHAKE + frame(MESSAGE, 7, 0, b"x"))
    c["message-stream-0"] = frame_input(0, HANDSHAKE + frame(MESSAGE, 0, 0, b"x"))
    c["message-late-for-finished-call"] = frame_input(0, HANDSHAKE + unary(1) + frame(MESSAGE, 1, 0, b"late") + unary(3))
    c["message-empty-flag-without-end"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(MESSAGE, 1, EMPTY))
    c["message-empty-flag-with-payload"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(MESSAGE, 1, EMPTY | END_STREAM, b"x"))
    c["cancel-open-call"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(CANCEL, 1) + frame(CANCEL, 9))
    c["client-goaway-with-open-call"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(GOAWAY, 0, 0, goaway(1, 0, "bye"))
                                                    + frame(MESSAGE, 1, END_STREAM, b"x"))
    c["client-goaway-idle"] = frame_input(0, HANDSHAKE + frame(GOAWAY, 0, 0, goaway(0, 14)))
    # Control frames.
    c["ping-and-ack"] = frame_input(0, HANDSHAKE + ping() + ping(flags=ACK) + ping(b"\xff" * 8))
    c["ping-short"] = frame_input(0, HANDSHAKE + frame(PING, 0, 0, b"\x01\x02"))
    c["ping-empty"] = frame_input(0, HANDSHAKE + frame(PING))
    c["ping-on-stream-1"] = frame_input(0, HANDSHAKE + frame(PING, 1, 0, b"\0" * 8))
    c["settings-on-stream-3"] = frame_input(0, HANDSHAKE + frame(SETTINGS, 3))
    c["goaway-on-stream-1"] = frame_input(0, HANDSHAKE + frame(GOAWAY, 1))
    c["status-from-client"] = frame_input(0, HANDSHAKE + frame(STATUS, 1, 0, status(0, "ok")))
    c["unknown-type-9"] = frame_input(0, HANDSHAKE + frame(9, 0, 0, b"??"))
    c["unknown-type-0"] = frame_input(0, HANDSHAKE + frame(0))
    c["window-updates"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + window_update(0, 1) + window_update(1, 65536)
                                      + window_update(99, 5))
    c["window-update-zero"] = frame_input(0, HANDSHAKE + window_update(0, 0))
    c["window-update-short"] = frame_input(0, HANDSHAKE + frame(WINDOW_UPDATE, 0, 0, b"\x00\x01"))
    c["window-update-connection-overflow"] = frame_input(0, HANDSHAKE + window_update(0, 0x7FFFFFFF))
    c["window-update-stream-overflow"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + window_update(1, 0x7FFFFFFF))
    c["zero-length-every-type"] = frame_input(0, HANDSHAKE + b"".join(frame(t, 1 if t in (CALL, MESSAGE, STATUS, CANCEL) else 0)
                                                                      for t in range(1, 9)))
    # The decoder's errors and limits.
    c["reserved-bits-set"] = frame_input(0, HANDSHAKE + frame(PING, 0, 0, b"\0" * 8, reserved=1))
    c["reserved-bits-set-low"] = frame_input(MAX_64, HANDSHAKE + frame(MESSAGE, 1, 0, b"", reserved=0x100))
    c["call-too-large-header-only"] = frame_input(MAX_64, HANDSHAKE + frame(CALL, 1, 0, b"", length=65))
    c["length-2-32-minus-1-call"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, b"", length=0xFFFFFFFF))
    c["length-2-32-minus-1-message"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(MESSAGE, 1, 0, b"", length=0xFFFFFFFF))
    c["oversize-message-skipped"] = frame_input(MAX_16, HANDSHAKE + frame(CALL, 1, 0, b"\x0a\x02/s") + frame(MESSAGE, 1, 0, bytes(range(40)))
                                                + ping())
    c["oversize-message-skipped-chunks"] = frame_input(MAX_16, HANDSHAKE + frame(MESSAGE, 1, 0, bytes(range(17))) + ping(), [2, 9])
    c["oversize-message-unopened-stream"] = frame_input(MAX_16, HANDSHAKE + frame(MESSAGE, 5, 0, bytes(20)) + frame(PING, 0, 0, bytes(8)))
    c["max-frame-size-1"] = frame_input(MAX_1, HANDSHAKE + frame(MESSAGE, 1, 0, b"x") + frame(MESSAGE, 1, 0, b"xy"))
    c["max-frame-size-0-settings"] = frame_input(MAX_0, HANDSHAKE)
    c["max-frame-size-0-empty-frames"] = frame_input(MAX_0, PREFACE + frame(SETTINGS) + frame(CANCEL, 1) + frame(MESSAGE, 1, 0, b"z"))
    c["max-frame-size-256-exact"] = frame_input(MAX_256, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(MESSAGE, 1, 0, bytes(256))
                                                + frame(MESSAGE, 1, 0, bytes(257)))
    c["max-frame-size-1024-16k"] = frame_input(MAX_1024, HANDSHAKE + frame(CALL, 1, 0, call("/s")) + frame(MESSAGE, 1, END_STREAM, b"q" * 1000))
    c["max-frame-size-16k"] = frame_input(MAX_16K, HANDSHAKE + unary(1, request=b"r" * 1500))
    c["incomplete-payload"] = frame_input(0, HANDSHAKE + frame(CALL, 1, 0, call("/u"))[:-2])
    c["incomplete-header"] = frame_input(0, HANDSHAKE + frame(PING)[:7])
    # Server limits.
    c["tiny-limits-many-calls"] = frame_input(TINY, HANDSHAKE + b"".join(frame(CALL, 2 * i + 1, 0, call("/s")) for i in range(4)))
    c["tiny-limits-big-metadata"] = frame_input(TINY, HANDSHAKE + frame(CALL, 1, 0, call("/s", metadata=[("k", "v" * 50)]))
                                                + frame(CALL, 3, 0, call("/s", metadata=[("k", "v" * 20)]))
                                                + frame(CALL, 5, 0, call("/s", metadata=[("k", "v" * 20)])))
    c["tiny-windows-overrun"] = frame_input(TINY_WINDOWS, HANDSHAKE + frame(CALL, 1, 0, call("/u")) + frame(MESSAGE, 1, 0, b"0123456789")
                                            + frame(CALL, 3, 0, call("/s")) + frame(MESSAGE, 3, 0, b"0123456789") + frame(MESSAGE, 3, 0, b"a"))
    c["tiny-windows-connection-overrun"] = frame_input(TINY_WINDOWS, HANDSHAKE + b"".join(
        frame(CALL, 2 * i + 1, 0, call("/u")) + frame(MESSAGE, 2 * i + 1, 0, b"x" * 12) for i in range(4)))
    c["tiny-windows-blocked-responses"] = frame_input(TINY_WINDOWS, PREFACE + frame(SETTINGS, 0, 0, settings(0, 0, 2))
                                                      + frame(CALL, 1, 0, call("/s")) + frame(MESSAGE, 1, 0, b"abc")
                                                      + frame(MESSAGE, 1, END_STREAM, b"def") + window_update(1, 4) + window_update(1, 100))
    c["client-max-frame-size-16k"] = frame_input(0, PREFACE + frame(SETTINGS, 0, 0, settings(16384)) + unary(1, request=b"r" * 1000))
    c["draining-call"] = frame_input(DRAINING, HANDSHAKE + unary(1) + ping())
    # Client side (no preface, nextFrame: an oversize MESSAGE throws).
    c["client-side-server-frames"] = frame_input(CLIENT, frame(SETTINGS, 0, 0, settings(4194304, 1024, 1048576, 16384))
                                                 + frame(MESSAGE, 1, 0, b"resp") + frame(STATUS, 1, 0, status(0))
                                                 + ping(flags=ACK) + frame(GOAWAY, 0, 0, goaway(1, 14, "server shutting down")))
    c["client-side-oversize-message"] = frame_input(CLIENT | MAX_16, frame(MESSAGE, 1, 0, bytes(17)))
    c["client-side-chunks"] = frame_input(CLIENT, frame(STATUS, 3, 0, status(12, "unknown method /x")) + window_update(0, 4096), [4, 4, 1])
    return c


# --- schemas -------------------------------------------------------------------------------

EXTRA_SCHEMAS = {
    "uses-dep-and-wkt.proto": """syntax = "proto3";
package fuzz;
import "dep.proto";
import public "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/field_mask.proto";
message M {
  dep.D d = 1;
  .dep.D.E e = 2;
  google.protobuf.Any any = 3;
  google.protobuf.Duration duration = 4;
  google.protobuf.Value value = 5;
  google.protobuf.StringValue name = 6;
  google.protobuf.FieldMask mask = 7;
  map<int64, dep.Top> tops = 8;
  oneof choice { string s = 9; bytes b = 10; M m = 11; }
  optional int32 maybe = 12;
  repeated double xs = 13 [packed = false];
  reserved 20 to 30, 100 to max;
  reserved "old";
}
service F {
  rpc Unary(M) returns (dep.D);
  rpc Server(M) returns (stream google.protobuf.Empty);
  rpc Client(stream dep.D) returns (M) { option deprecated = true; }
  rpc Bidi(stream M) returns (stream M);
}
""",
    "uses-public-import.proto": """syntax = "proto3";
import "public.proto";
message Q { pub.P p = 1; dep.D d = 2; dep.Top t = 3; }
""",
    "import-cycle.proto": """syntax = "proto3";
import "fuzz.proto";
message C {}
""",
    "import-missing-and-twice.proto": """syntax = "proto3";
import "dep.proto";
import "dep.proto";
import "nope/missing.proto";
import "../escape.proto";
import "a//b.proto";
""",
    "options-aggregate.proto": """syntax = "proto3";
package fuzz.opts;
option java_package = "pk.gov" "concat";
option optimize_for = SPEED;
option (custom.thing) = { a: 1 b: "x" c { d: [1, 2, 3] } };
message O {
  int32 a = 1 [deprecated = true, json_name = "A_"];
  float f = 2 [(x.y).z = -inf];
  double d = 3 [(n) = nan];
  enum E { option allow_alias = true; ZERO = 0; ALIAS = 0; NEG = -2147483648; BIG = 2147483647; }
}
""",
    "nested-deep.proto": "syntax = \"proto3\";\n" + "message N { " * 40 + "int32 x = 1;" + " }" * 40 + "\n",
    "escapes.proto": 'syntax = "proto3";\noption go_package = "\\x41\\101\\u00e9\\U0001F600\\n\\t\\\\\\"\\?";\nmessage E { string s = 1; }\n',
    "numbers.proto": """syntax = "proto3";
message Num {
  int32 a = 0x1;
  int32 b = 01;
  int32 c = 536870911;
  int32 d = 19000;
  int32 e = 2147483648;
  int32 f = 99999999999999999999999;
}
enum En { EN_ZERO = 0; EN_HEX = 0x7fffffff; EN_NEG = -0x80000000; }
""",
    "empty.proto": "",
    "proto2.proto": 'syntax = "proto2";\nmessage P2 { required int32 a = 1; optional group G = 2 { optional int32 b = 3; } extensions 100 to 200; }\n',
}


class Link(str):
    """A seed that is a file of the repository: written as a relative symbolic link, so the
    corpus follows the file instead of keeping a copy that drifts."""


def schema_corpus():
    c = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "Schema", "**", "*.proto"), recursive=True)):
        c["schema-" + os.path.relpath(path, os.path.join(ROOT, "Schema")).replace("/", "-")] = Link(path)
    tests = os.path.join(ROOT, "Tests", "SchemaCompilerTests", "Corpus")
    for path in sorted(glob.glob(os.path.join(tests, "**", "*.proto"), recursive=True)):
        c["tests-" + os.path.relpath(path, tests).replace("/", "-")] = Link(path)
    wkt = os.path.join(ROOT, "Tools", "WellKnownTypes")
    for path in sorted(glob.glob(os.path.join(wkt, "**", "*.proto"), recursive=True)):
        c["wkt-" + os.path.basename(path)] = Link(path)
    for name, text in EXTRA_SCHEMAS.items():
        c["fuzz-" + name] = text.encode()
    return c


# --- dictionaries --------------------------------------------------------------------------

def dict_escape(data):
    out = ""
    for b in data:
        if 0x20 <= b < 0x7F and b not in (0x22, 0x5C):
            out += chr(b)
        else:
            out += "\\x%02x" % b
    return '"' + out + '"'


def frame_dict():
    entries = [("preface", PREFACE)]
    names = ["settings", "call", "message", "status", "cancel", "window_update", "ping", "goaway"]
    for t, name in enumerate(names, 1):
        stream = 1 if t in (CALL, MESSAGE, STATUS, CANCEL) else 0
        entries.append(("header_" + name, frame(t, stream)))
        entries.append(("type_" + name, bytes([t])))
    entries += [
        ("flags_end_stream", b"\x00\x01\x00\x00"), ("flags_ack", b"\x00\x02\x00\x00"), ("flags_empty_end", b"\x00\x05\x00\x00"),
        ("stream_1", b"\x00\x00\x00\x01"), ("stream_3", b"\x00\x00\x00\x03"), ("stream_max", b"\x7f\xff\xff\xff"),
        ("u32_max", b"\xff\xff\xff\xff"), ("len_16k", b"\x00\x00\x40\x00"), ("len_4m", b"\x00\x40\x00\x00"),
        ("len_4m_plus_1", b"\x00\x40\x00\x01"), ("len_8", b"\x00\x00\x00\x08"), ("len_4", b"\x00\x00\x00\x04"),
        ("ping_payload", b"\x01\x02\x03\x04\x05\x06\x07\x08"),
        ("method_u", call("/u")), ("method_s", call("/s")),
        ("method_check", call("/grpc.health.v1.Health/Check")), ("method_watch", call("/grpc.health.v1.Health/Watch")),
        ("path_u", b"/u"), ("path_s", b"/s"),
        ("call_method_key", b"\x0a"), ("call_timeout_key", b"\x10"), ("call_metadata_key", b"\x1a"),
        ("settings_max_frame_16k", settings(16384)), ("settings_window_8", settings(0, 0, 8)),
        ("settings_window_max", settings(0, 0, 0x7FFFFFFF)), ("settings_max_frame_small", settings(16383)),
        ("goaway_payload", goaway(1, 14, "x")), ("status_payload", status(3, "x")),
        ("varint_max", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
    ]
    lines = ["# Dictionary for FuzzFrameDecoder (RPC frames: headers, control payloads, limits)",
             "# Generated by make_corpus_rpc_schema.py; libFuzzer -dict=<this file>.", ""]
    lines += ["%s=%s" % (name, dict_escape(data)) for name, data in entries if data]
    return "\n".join(lines) + "\n"


def schema_dict():
    words = """syntax proto3 proto2 package import public weak option message enum service rpc returns stream
repeated optional required oneof map reserved to max extensions extend group
double float int32 int64 uint32 uint64 sint32 sint64 fixed32 fixed64 sfixed32 sfixed64 bool string bytes
true false inf nan -inf deprecated packed json_name allow_alias java_package go_package optimize_for SPEED
map_entry default lazy weak ctype cc_enable_arenas objc_class_prefix idempotency_level NO_SIDE_EFFECTS""".split()
    tokens = ["{", "}", ";", "=", "<", ">", "[", "]", "(", ")", ",", ".", "/", "-", "+", ":", '"', "'",
              "//", "/*", "*/", "\\x", "\\u", "\\U", "\\0", "\\n", "0x", "0X", "1e10", ".5", "1.", "0",
              "536870911", "536870912", "19000", "19999", "2147483647", "-2147483648", "4294967295",
              "18446744073709551616", "\r\n", "\xef\xbb\xbf",
              'syntax = "proto3";', 'import "dep.proto";', 'import public "public.proto";', 'import "fuzz.proto";',
              '"google/protobuf/timestamp.proto"', '"google/protobuf/any.proto"', '"google/protobuf/struct.proto"',
              "dep.D", ".dep.D", "dep.D.E", "dep.Top", "pub.P", "google.protobuf.Timestamp", "google.protobuf.Any",
              "google.protobuf.Value", '"portal/v1/common.proto"', '"portal/v1/complaint.proto"',
              '"grpc/health/v1/health.proto"', '"accept/imports/dep/base.proto"', "portal.v1.", "map<string, ", "= 1;", "rpc M(A) returns (B);", "option (x).y = {"]
    lines = ["# Dictionary for FuzzSchemaParser (proto3 keywords, scalar types, punctuation, imports)",
             "# Generated by make_corpus_rpc_schema.py; libFuzzer -dict=<this file>.", ""]
    lines += [dict_escape(w.encode("latin-1") if w == "\xef\xbb\xbf" else w.encode()) for w in words + tokens]
    return "\n".join(lines) + "\n"


def write_corpus(name, files):
    directory = os.path.join(HERE, "Corpus", name)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for file_name, data in sorted(files.items()):
        if isinstance(data, Link):
            os.symlink(os.path.relpath(data, directory), os.path.join(directory, file_name))
            continue
        with open(os.path.join(directory, file_name), "wb") as f:
            f.write(data)
    print("%s: %d files" % (directory, len(files)))


def main():
    write_corpus("FuzzFrameDecoder", frame_corpus())
    write_corpus("FuzzSchemaParser", schema_corpus())
    with open(os.path.join(HERE, "FuzzFrameDecoder.dict"), "w") as f:
        f.write(frame_dict())
    with open(os.path.join(HERE, "FuzzSchemaParser.dict"), "w") as f:
        f.write(schema_dict())


if __name__ == "__main__":
    main()
