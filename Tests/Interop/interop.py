#!/usr/bin/python3
"""Interop check: PortalModel (Swift, via interop-tool) against the official Python protobuf
package and protoc.

Run with Debian's /usr/bin/python3 (it has python3-protobuf); see Tests/Interop/README.md.

Phases, each over every message type of Schema/ and of the well-known types PortalModel
generates (the set is cross-checked against `interop-tool --list-types`):

  random     random messages (fixed seeds) encoded by Python, decoded and re-encoded by Swift
             (plain and deterministic, with Swift's own decode(encode(x)) == x check). Python
             must parse Swift's bytes to a message equal to the original (field by field,
             NaN-aware, -0.0 distinct from 0.0, unknown fields included), and for instances
             without map entries Swift's bytes must equal Python's deterministic bytes.
  unknown    messages with extra fields of unused numbers (and of known numbers with the wrong
             wire type) appended as raw bytes: they must come back byte for byte.
  reorder    non-canonical but valid encodings (shuffled fields, repeated singular fields,
             split sub-messages, partial and reversed map entries, non-minimal varints):
             Python's parse of the same bytes is the oracle.
  mutate     truncated, bit-flipped and invalid-UTF-8 inputs, plus nesting around the depth
             limit: Swift and Python must agree on accept/reject, and on the message when both
             accept.
  protoc     a sample cross-checked with `protoc --decode=TYPE` (text of Python's bytes equals
             text of Swift's bytes) and the reverse through `protoc --encode=TYPE`.
  edge       hand-written cases (e.g. canonically-equivalent map keys).
  json       the proto3 JSON mapping both ways against json_format (interop_json.py).

Prints one line per failure (phase, type, seed, reason, hex of the bytes involved) and finally
`interop: N passed, M failed`; exits 1 if anything failed.
"""

import argparse
import contextlib
import glob
import importlib
import math
import os
import random
import struct
import subprocess
import sys
import tempfile
import unicodedata
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "Schema")
WKT_ROOT = os.path.join(ROOT, "Tools", "WellKnownTypes")

from google.protobuf import descriptor as _descriptor  # noqa: E402
from google.protobuf import message as _message  # noqa: E402
from google.protobuf import text_format  # noqa: E402

FD = _descriptor.FieldDescriptor

# ---------------------------------------------------------------------------------------------
# Loading the schema


def compile_schema(outdir):
    """protoc --python_out for every .proto under Schema/ (well-known types come from the
    installed google.protobuf package, which is generated from the same files)."""
    protos = sorted(os.path.relpath(p, SCHEMA) for p in glob.glob(os.path.join(SCHEMA, "**", "*.proto"), recursive=True))
    cmd = ["protoc", "-I", SCHEMA, "-I", WKT_ROOT, "--python_out", outdir] + protos
    subprocess.run(cmd, check=True)
    # Make every generated directory a regular package so nothing installed (e.g. grpcio's
    # `grpc`) shadows it, and put the output first on the path.
    for dirpath, _, _ in os.walk(outdir):
        if dirpath != outdir:
            open(os.path.join(dirpath, "__init__.py"), "a").close()
    sys.path.insert(0, outdir)
    modules = []
    for rel in protos:
        modules.append(importlib.import_module(rel[:-len(".proto")].replace("/", ".") + "_pb2"))
    wkt_protos = sorted(os.path.relpath(p, WKT_ROOT) for p in glob.glob(os.path.join(WKT_ROOT, "google", "protobuf", "*.proto")))
    for rel in wkt_protos:
        modules.append(importlib.import_module(rel[:-len(".proto")].replace("/", ".") + "_pb2"))
    files = {}
    for rel, module in zip(protos + wkt_protos, modules):
        files[rel] = module.DESCRIPTOR
    return files


def all_message_descriptors(files):
    """Every message type (nested ones included, map entries excluded), by full name."""
    result = {}

    def walk(desc, file_name):
        if desc.GetOptions().map_entry:
            return
        result[desc.full_name] = (desc, file_name)
        for nested in desc.nested_types:
            walk(nested, file_name)

    for file_name, fdesc in files.items():
        for desc in fdesc.message_types_by_name.values():
            walk(desc, file_name)
    return result


def message_class(desc):
    """The generated class of a message type (every type here comes from a loaded _pb2 module)."""
    from google.protobuf import symbol_database
    return symbol_database.Default().GetSymbol(desc.full_name)


# ---------------------------------------------------------------------------------------------
# Wire helpers


def varint(v, pad=0):
    """Encodes v (negative numbers as 64-bit two's complement); `pad` extra non-minimal bytes."""
    if v < 0:
        v += 1 << 64
    pad = min(pad, 10 - max(1, (v.bit_length() + 6) // 7))  # never past ten bytes
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v == 0 and pad == 0:
            out.append(b)
            return bytes(out)
        if v == 0:
            pad -= 1
        out.append(b | 0x80)
        if v == 0 and pad == 0:
            out.append(0)
            return bytes(out)


def read_varint(buf, pos):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & ((1 << 64) - 1), pos
        shift += 7
        if shift >= 70:
            raise ValueError("long varint")


def split_records(buf):
    """Top-level wire records of a valid encoding: [(field, wiretype, key bytes, value bytes)]."""
    records = []
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = read_varint(buf, pos)
        field, wt = key >> 3, key & 7
        kend = pos
        if wt == 0:
            _, pos = read_varint(buf, pos)
        elif wt == 1:
            pos += 8
        elif wt == 5:
            pos += 4
        elif wt == 2:
            n, pos = read_varint(buf, pos)
            pos += n
        elif wt == 3:
            depth = 1
            while depth:
                k, pos = read_varint(buf, pos)
                w = k & 7
                if w == 0:
                    _, pos = read_varint(buf, pos)
                elif w == 1:
                    pos += 8
                elif w == 5:
                    pos += 4
                elif w == 2:
                    n, pos = read_varint(buf, pos)
                    pos += n
                elif w == 3:
                    depth += 1
                elif w == 4:
                    depth -= 1
        else:
            raise ValueError("unexpected wire type %d" % wt)
        records.append((field, wt, bytes(buf[start:kend]), bytes(buf[kend:pos])))
    return records


def frame(items):
    out = bytearray()
    for name, payload in items:
        nb = name.encode()
        out += struct.pack("<I", len(nb)) + nb + struct.pack("<I", len(payload)) + payload
    return bytes(out)


def unframe(data):
    items = []
    pos = 0
    while pos < len(data):
        (n,) = struct.unpack_from("<I", data, pos)
        name = data[pos + 4:pos + 4 + n].decode()
        pos += 4 + n
        (m,) = struct.unpack_from("<I", data, pos)
        items.append((name, data[pos + 4:pos + 4 + m]))
        pos += 4 + m
    return items


def hexdump(b, limit=400):
    h = b.hex()
    return h if len(h) <= limit else h[:limit] + "...(%d bytes)" % len(b)


def hexdiff(expected, actual):
    """The first differing offset and both byte strings around it, in hex."""
    n = min(len(expected), len(actual))
    i = next((k for k in range(n) if expected[k] != actual[k]), n)
    lo = max(0, i - 16)
    return ("first difference at byte %d (lengths %d vs %d)\n      expected[%d:]: %s\n      actual  [%d:]: %s"
            % (i, len(expected), len(actual), lo, expected[lo:lo + 64].hex(), lo, actual[lo:lo + 64].hex()))


# ---------------------------------------------------------------------------------------------
# Random values

INT32_EDGES = [0, 1, -1, 2, 63, 64, 127, 128, -128, 255, 300, -300, 16383, 16384, 2**31 - 1, -2**31, -2**31 + 1]
INT64_EDGES = INT32_EDGES + [2**32, 2**32 - 1, -2**32, 2**63 - 1, -2**63, -2**63 + 1, 2**56, 2**49 - 1]
UINT32_EDGES = [0, 1, 2, 127, 128, 255, 16383, 16384, 2**21, 2**28, 2**31, 2**32 - 1, 2**32 - 2]
UINT64_EDGES = UINT32_EDGES + [2**32, 2**63, 2**64 - 1, 2**64 - 2, 2**56, 2**63 - 1]
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, float("inf"), float("-inf"), float("nan"), -float("nan"),
               1.401298464324817e-45, 1.1754943508222875e-38, 3.4028234663852886e+38, -3.4028234663852886e+38,
               16777216.0, 16777217.0]
DOUBLE_EDGES = FLOAT_EDGES + [5e-324, 2.2250738585072014e-308, 1.7976931348623157e+308, -1.7976931348623157e+308,
                              0.1, -0.1, 1e100, 9007199254740993.0, 33.6844, 73.0479]
STRING_PIECES = [
    "", "a", "abc", "PSH-2026-000123", " ", "\x00", "\x01\x7f", "\t\n\r", "\"'\\", "/package.Service/Method",
    "é", "e\u0301", "ñ", "ß", "Ω", "日本語", "شکایت", "ضلع پشاور", "\u0627\u0631\u062f\u0648", "\u200f", "\u200d",
    "\ufeff", "\u2028", "\uffff", "\ufffd", "\U0001F600", "\U0001F1F5\U0001F1F0", "\U0001D11E", "\U0010FFFF",
    "\u0301", "a\u0308\u0304", "\u00c5", "A\u030a", "\u212b",
]


def rand_int(rng, edges, lo, hi):
    r = rng.random()
    if r < 0.35:
        return rng.choice(edges)
    if r < 0.6:
        return rng.randint(max(lo, -300), min(hi, 300))
    bits = rng.randint(1, (hi - lo).bit_length())
    v = rng.getrandbits(bits)
    if lo < 0 and rng.random() < 0.5:
        v = -v
    return max(lo, min(hi, v))


def rand_float32(rng):
    r = rng.random()
    if r < 0.35:
        return rng.choice(FLOAT_EDGES)
    if r < 0.7:
        return struct.unpack("<f", struct.pack("<f", rng.uniform(-1e6, 1e6)))[0]
    return struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0]


def rand_double(rng):
    r = rng.random()
    if r < 0.35:
        return rng.choice(DOUBLE_EDGES)
    if r < 0.7:
        return rng.uniform(-1e9, 1e9)
    # Any bit pattern, NaN payloads and subnormals included.
    return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]


def rand_string(rng):
    r = rng.random()
    if r < 0.15:
        return ""
    if r < 0.55:
        return "".join(rng.choice(STRING_PIECES) for _ in range(rng.randint(1, 6)))
    if r < 0.8:
        return "".join(chr(rng.randint(0x20, 0x7E)) for _ in range(rng.randint(1, 40)))
    if r < 0.95:
        # Random code points from every plane (no surrogates).
        out = []
        for _ in range(rng.randint(1, 30)):
            plane = rng.random()
            if plane < 0.4:
                c = rng.randint(0x80, 0x7FF)
            elif plane < 0.8:
                c = rng.randint(0x800, 0xFFFF)
            else:
                c = rng.randint(0x10000, 0x10FFFF)
            if 0xD800 <= c <= 0xDFFF:
                c = 0xFFFD
            out.append(chr(c))
        return "".join(out)
    # Large: multi-byte length prefixes.
    return rng.choice(STRING_PIECES[1:]) * rng.choice([130, 2000, 17000])


def rand_bytes(rng):
    r = rng.random()
    if r < 0.2:
        return b""
    if r < 0.8:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 40)))
    if r < 0.97:
        return bytes(rng.getrandbits(8) for _ in range(rng.choice([127, 128, 129, 300])))
    return rng.randbytes(rng.choice([16384, 70000]))


def rand_enum(rng, enum_desc):
    known = [v.number for v in enum_desc.values]
    r = rng.random()
    if r < 0.75:
        return rng.choice(known)
    # Open proto3 enums keep numbers they do not know.
    return rng.choice([max(known) + 1, max(known) + 100, -1, -2, 2**31 - 1, -2**31, 1000])


def rand_scalar(rng, field):
    t = field.type
    if t in (FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32):
        return rand_int(rng, INT32_EDGES, -2**31, 2**31 - 1)
    if t in (FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64):
        return rand_int(rng, INT64_EDGES, -2**63, 2**63 - 1)
    if t in (FD.TYPE_UINT32, FD.TYPE_FIXED32):
        return rand_int(rng, UINT32_EDGES, 0, 2**32 - 1)
    if t in (FD.TYPE_UINT64, FD.TYPE_FIXED64):
        return rand_int(rng, UINT64_EDGES, 0, 2**64 - 1)
    if t == FD.TYPE_FLOAT:
        return rand_float32(rng)
    if t == FD.TYPE_DOUBLE:
        return rand_double(rng)
    if t == FD.TYPE_BOOL:
        return rng.random() < 0.5
    if t == FD.TYPE_STRING:
        return rand_string(rng)
    if t == FD.TYPE_BYTES:
        return rand_bytes(rng)
    if t == FD.TYPE_ENUM:
        return rand_enum(rng, field.enum_type)
    raise AssertionError("unhandled type %d" % t)


def is_synthetic_oneof(oneof):
    """proto3 `optional` fields sit in a synthetic oneof named `_<field>`."""
    return len(oneof.fields) == 1 and oneof.name == "_" + oneof.fields[0].name


def is_map(field):
    return field.type == FD.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


class Generator:
    """Random messages by walking descriptors; everything derives from one seeded Random."""

    MAX_DEPTH = 5

    def __init__(self, rng, classes, unknown_rate=0.08):
        self.rng = rng
        self.classes = classes
        self.unknown_rate = unknown_rate

    def fill(self, msg, depth=0):
        rng = self.rng
        desc = msg.DESCRIPTOR
        if desc.full_name == "google.protobuf.Any" and rng.random() < 0.5 and depth < self.MAX_DEPTH:
            inner_name = rng.choice(sorted(self.classes))
            inner = self.classes[inner_name]()
            self.fill(inner, depth + 1)
            msg.type_url = rng.choice(["type.googleapis.com/", "example.com/x/", ""]) + inner_name
            msg.value = inner.SerializeToString(deterministic=True)
            return msg
        real_oneofs = [o for o in desc.oneofs if not is_synthetic_oneof(o)]
        in_real_oneof = set()
        for oneof in real_oneofs:
            in_real_oneof.update(f.name for f in oneof.fields)
            if rng.random() < 0.75:
                choices = oneof.fields
                if depth >= self.MAX_DEPTH:
                    choices = [f for f in choices if f.type != FD.TYPE_MESSAGE] or choices
                self.set_field(msg, rng.choice(choices), depth, force=True)
        for field in desc.fields:
            if field.name in in_real_oneof:
                continue
            self.set_field(msg, field, depth)
        if rng.random() < self.unknown_rate:
            msg.MergeFromString(random_unknown_fields(rng, desc, allow_wrong_wire_type=True))
        return msg

    def set_field(self, msg, field, depth, force=False):
        rng = self.rng
        name = field.name
        if is_map(field):
            if rng.random() < 0.45 or (depth >= self.MAX_DEPTH and field.message_type.fields_by_name["value"].type == FD.TYPE_MESSAGE):
                return
            container = getattr(msg, name)
            kf = field.message_type.fields_by_name["key"]
            vf = field.message_type.fields_by_name["value"]
            for _ in range(rng.choice([1, 1, 2, 3, 4, 8])):
                key = rand_scalar(rng, kf)
                if vf.type == FD.TYPE_MESSAGE:
                    self.fill(container[key], depth + 1)
                else:
                    container[key] = rand_scalar(rng, vf)
            return
        if field.label == FD.LABEL_REPEATED:
            if rng.random() < 0.5:
                return
            if field.type == FD.TYPE_MESSAGE and depth >= self.MAX_DEPTH:
                return
            count = rng.choice([1, 1, 2, 3, 5, 12])
            container = getattr(msg, name)
            for _ in range(count):
                if field.type == FD.TYPE_MESSAGE:
                    self.fill(container.add(), depth + 1)
                else:
                    container.append(rand_scalar(rng, field))
            return
        if field.type == FD.TYPE_MESSAGE:
            if (not force and rng.random() < 0.45) or depth >= self.MAX_DEPTH and not force:
                return
            sub = getattr(msg, name)
            sub.SetInParent()
            if depth < self.MAX_DEPTH:
                self.fill(sub, depth + 1)
            return
        if not force and rng.random() < 0.35:
            return
        setattr(msg, name, rand_scalar(rng, field))


def random_unknown_fields(rng, desc, allow_wrong_wire_type=False, count=None):
    """Raw records of field numbers `desc` does not use (or, optionally, known numbers with a
    wire type that does not match their declaration, which parsers also keep as unknown)."""
    used = {f.number for f in desc.fields}
    top = max(used) if used else 0
    candidates = [top + 1, top + 2, top + 17, 1000, 2047, 2048, 19000, 19999, 262143, 536870911]
    candidates = [n for n in candidates if n not in used]
    out = bytearray()
    for _ in range(count if count is not None else rng.randint(1, 4)):
        wt = rng.choice([0, 0, 1, 2, 2, 3, 5])
        number = rng.choice(candidates)
        if allow_wrong_wire_type and used and rng.random() < 0.3:
            pick = rng.choice(sorted(used))
            field = next(f for f in desc.fields if f.number == pick)
            declared = wire_type_of(field)
            options = [w for w in (0, 1, 2, 5) if w != declared]
            if field.label == FD.LABEL_REPEATED and field.type not in (FD.TYPE_MESSAGE, FD.TYPE_STRING, FD.TYPE_BYTES):
                # A repeated scalar accepts both its packed (2) and its unpacked element wire
                # type; parsers must take either into the field, so neither is unknown.
                options = [w for w in options if w not in (2, element_wire_type(field))]
            number, wt = field.number, rng.choice(options)
        out += varint(number << 3 | wt)
        if wt == 0:
            out += varint(rand_int(rng, UINT64_EDGES, 0, 2**64 - 1))
        elif wt == 1:
            out += rng.randbytes(8)
        elif wt == 5:
            out += rng.randbytes(4)
        elif wt == 2:
            payload = rng.randbytes(rng.choice([0, 1, 5, 130]))
            out += varint(len(payload)) + payload
        elif wt == 3:
            out += varint(7 << 3 | 0) + varint(rng.getrandbits(20))
            out += varint(8 << 3 | 2) + varint(2) + b"hi"
            out += varint(number << 3 | 4)
    return bytes(out)


def wire_type_of(field):
    if field.label == FD.LABEL_REPEATED and field.type not in (FD.TYPE_MESSAGE, FD.TYPE_STRING, FD.TYPE_BYTES):
        return 2
    return element_wire_type(field)


def element_wire_type(field):
    """The wire type of one value of the field's type (unpacked)."""
    return {
        FD.TYPE_DOUBLE: 1, FD.TYPE_FIXED64: 1, FD.TYPE_SFIXED64: 1,
        FD.TYPE_FLOAT: 5, FD.TYPE_FIXED32: 5, FD.TYPE_SFIXED32: 5,
        FD.TYPE_STRING: 2, FD.TYPE_BYTES: 2, FD.TYPE_MESSAGE: 2,
    }.get(field.type, 0)


# ---------------------------------------------------------------------------------------------
# Comparing messages


def float_same(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def value_diff(field, a, b, path):
    if field.type == FD.TYPE_MESSAGE:
        return message_diff(a, b, path)
    if field.type in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
        return None if float_same(a, b) else "%s: %r != %r" % (path, a, b)
    return None if a == b and type(a) is type(b) else "%s: %r != %r" % (path, a, b)


def unknown_tuple(fields):
    out = []
    for f in fields:
        data = f.data
        if f.wire_type == 3:
            data = unknown_tuple(data)
        out.append((f.field_number, f.wire_type, data))
    return out


# Swift's String `==` is canonical equivalence, so a [String: V] map cannot hold both "\u00e9"
# and "e\u0301". Rather than merge them and lose data, the Swift decoder rejects such input with
# ProtoDecodingError.ambiguousMapKey, whose text contains this phrase. It raises it only on a
# true collision, so a case whose every problem is that rejection is the documented behaviour.
AMBIGUOUS_KEY_REJECTION = "differ only in Unicode normalization"


def message_diff(a, b, path="msg"):
    """None if equal: same set fields (ListFields), same values recursively (NaN equals NaN,
    -0.0 differs from 0.0), same map contents, same unknown fields. Else the first difference."""
    if a.DESCRIPTOR.full_name != b.DESCRIPTOR.full_name:
        return "%s: type %s != %s" % (path, a.DESCRIPTOR.full_name, b.DESCRIPTOR.full_name)
    fa = {f.name: (f, v) for f, v in a.ListFields()}
    fb = {f.name: (f, v) for f, v in b.ListFields()}
    if set(fa) != set(fb):
        return "%s: set fields %s != %s" % (path, sorted(fa), sorted(fb))
    for name in sorted(fa):
        field, va = fa[name]
        vb = fb[name][1]
        sub = "%s.%s" % (path, name)
        if is_map(field):
            if set(va.keys()) != set(vb.keys()):
                return "%s: map keys %r != %r" % (sub, sorted(va.keys()), sorted(vb.keys()))
            vf = field.message_type.fields_by_name["value"]
            for k in va:
                d = value_diff(vf, va[k], vb[k], "%s[%r]" % (sub, k))
                if d:
                    return d
        elif field.label == FD.LABEL_REPEATED:
            if len(va) != len(vb):
                return "%s: %d elements != %d" % (sub, len(va), len(vb))
            for i, (x, y) in enumerate(zip(va, vb)):
                d = value_diff(field, x, y, "%s[%d]" % (sub, i))
                if d:
                    return d
        else:
            d = value_diff(field, va, vb, sub)
            if d:
                return d
    ua, ub = unknown_tuple(a.UnknownFields()), unknown_tuple(b.UnknownFields())
    if ua != ub:
        return "%s: unknown fields %r != %r" % (path, ua, ub)
    return None


def all_map_keys_nfc(msg):
    """True if every string map key in msg (recursively) is in Unicode normalization form C."""
    for field, value in msg.ListFields():
        if is_map(field):
            if field.message_type.fields_by_name["key"].type == FD.TYPE_STRING:
                if not all(unicodedata.is_normalized("NFC", k) for k in value):
                    return False
            if field.message_type.fields_by_name["value"].type == FD.TYPE_MESSAGE:
                if not all(all_map_keys_nfc(v) for v in value.values()):
                    return False
        elif field.type == FD.TYPE_MESSAGE:
            values = value if field.label == FD.LABEL_REPEATED else [value]
            if not all(all_map_keys_nfc(v) for v in values):
                return False
    return True


def has_map_entries(msg):
    for field, value in msg.ListFields():
        if is_map(field):
            if len(value):
                return True
        elif field.type == FD.TYPE_MESSAGE:
            values = value if field.label == FD.LABEL_REPEATED else [value]
            if any(has_map_entries(v) for v in values):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Running the Swift side


class Tool:
    def __init__(self, path):
        self.path = path

    def run(self, items, *flags):
        """items: [(type name, payload)] -> [(type name or '!error' / '!roundtrip', payload)]."""
        proc = subprocess.run([self.path, "--errors-inline"] + list(flags), input=frame(items),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError("interop-tool %s exited %d: %s" % (" ".join(flags), proc.returncode,
                                                                   proc.stderr.decode(errors="replace").strip()))
        out = unframe(proc.stdout)
        if len(out) != len(items):
            raise RuntimeError("interop-tool answered %d records for %d" % (len(out), len(items)))
        return out

    def list_types(self):
        proc = subprocess.run([self.path, "--list-types"], stdout=subprocess.PIPE, check=True)
        return proc.stdout.decode().split()


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.ambiguous_rejected = 0
        self.by_phase = {}
        self.notes = []

    def ok(self, phase):
        self.passed += 1
        self.by_phase.setdefault(phase, [0, 0])[0] += 1

    def fail(self, phase, type_name, seed, reason, data=None):
        if all(AMBIGUOUS_KEY_REJECTION in part for part in reason.split("; ")):
            self.ambiguous_rejected += 1
            self.ok(phase)
            return
        self.failed += 1
        self.by_phase.setdefault(phase, [0, 0])[1] += 1
        print("FAIL [%s] type=%s seed=%s: %s" % (phase, type_name, seed, reason))
        if data is not None:
            print("      input: %s" % hexdump(data))


def parse(cls, data):
    m = cls()
    m.ParseFromString(data)
    return m


@contextlib.contextmanager
def quiet_stderr():
    """Silences libprotobuf's own error log (e.g. for invalid UTF-8) while parsing bad input."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def try_parse(cls, data):
    """(message, None) or (None, reason). The Python C++ backend stops at a stray end-group or
    zero tag with only a RuntimeWarning (b/27494216) where C++'s ParseFromString fails: that
    counts as a rejection here, as it does in every other protobuf runtime."""
    with warnings.catch_warnings(record=True) as caught, quiet_stderr():
        warnings.simplefilter("always")
        try:
            message = parse(cls, data)
        except _message.DecodeError as e:
            return None, str(e) or "DecodeError"
        except Exception as e:  # noqa: BLE001 - anything else the C++ backend raises
            return None, "%s: %s" % (type(e).__name__, e)
    for w in caught:
        if "end-group" in str(w.message) or "Not all data" in str(w.message):
            return None, "stopped early: %s" % w.message
    return message, None


# ---------------------------------------------------------------------------------------------
# Phases


def phase_random(tool, report, classes, names, count, base_seed, samples):
    cases = []
    for name in names:
        for i in range(count):
            seed = "%s:%s:%d" % (base_seed, name, i)
            msg = Generator(random.Random(seed), classes).fill(classes[name]())
            # Python's plain serialization orders map entries by a per-process hash seed, so the
            # deterministic one is the input: every run sends the same bytes for a seed.
            data = msg.SerializeToString(deterministic=True)
            cases.append((name, seed, msg, data, data))
    items = [(c[0], c[3]) for c in cases]
    plain = tool.run(items, "--roundtrip-check")
    det = tool.run(items, "--deterministic", "--roundtrip-check")
    map_total = map_same = map_non_nfc = map_non_nfc_same = 0
    for (name, seed, msg, data, pdet), (pn, pout), (dn, dout) in zip(cases, plain, det):
        problems = []
        for label, rname, out in (("plain", pn, pout), ("deterministic", dn, dout)):
            if rname != name:
                problems.append("%s: Swift answered %s: %s" % (label, rname, out.decode(errors="replace")))
                continue
            back, err = try_parse(classes[name], out)
            if err:
                problems.append("%s: Python cannot parse Swift's bytes: %s" % (label, err))
                continue
            d = message_diff(msg, back)
            if d:
                problems.append("%s: Python's parse of Swift's bytes differs: %s\n      %s"
                                % (label, d, hexdiff(pdet, out)))
        if not problems:
            if not has_map_entries(msg):
                if dout != pdet:
                    problems.append("deterministic bytes differ from Python's: " + hexdiff(pdet, dout))
                if pout != pdet:
                    problems.append("plain bytes differ from Python's deterministic bytes: " + hexdiff(pdet, pout))
            else:
                # Deterministic maps are ordered by the keys' UTF-8 bytes, as C++ and Python do,
                # whether or not the keys are in Unicode normalization form C.
                nfc = all_map_keys_nfc(msg)
                map_total += nfc
                map_non_nfc += not nfc
                if dout != pdet:
                    problems.append("deterministic bytes (maps) differ from Python's: " + hexdiff(pdet, dout))
                else:
                    map_same += nfc
                    map_non_nfc_same += not nfc
        if problems:
            report.fail("random", name, seed, "; ".join(problems), data)
        else:
            report.ok("random")
    report.notes.append("random: %d messages of %d types; with map entries: %d with all keys NFC (%d byte-identical "
                        "to Python's deterministic bytes), %d with some non-NFC key (%d byte-identical)"
                        % (len(cases), len(names), map_total, map_same, map_non_nfc, map_non_nfc_same))
    samples.extend(cases)


def phase_unknown(tool, report, classes, names, count, base_seed):
    cases = []
    for name in names:
        for i in range(count):
            seed = "%s:unknown:%s:%d" % (base_seed, name, i)
            rng = random.Random(seed)
            msg = Generator(rng, classes, unknown_rate=0).fill(classes[name]())
            extra = random_unknown_fields(rng, classes[name].DESCRIPTOR, allow_wrong_wire_type=(i % 2 == 1),
                                          count=rng.randint(1, 6))
            cases.append((name, seed, msg, msg.SerializeToString(deterministic=True) + extra, msg.SerializeToString(deterministic=True), extra))
    out = tool.run([(c[0], c[3]) for c in cases], "--deterministic", "--roundtrip-check")
    for (name, seed, msg, data, pdet, extra), (rname, sout) in zip(cases, out):
        problems = []
        if rname != name:
            problems.append("Swift answered %s: %s" % (rname, sout.decode(errors="replace")))
        else:
            expected = parse(classes[name], data)
            back, err = try_parse(classes[name], sout)
            if err:
                problems.append("Python cannot parse Swift's bytes: " + err)
            else:
                d = message_diff(expected, back)
                if d:
                    problems.append("differs: " + d)
            if not sout.endswith(extra):
                problems.append("unknown fields not preserved byte for byte at the end: " + hexdiff(extra, sout[-len(extra):]))
            if not has_map_entries(msg) and sout != pdet + extra:
                problems.append("bytes differ: " + hexdiff(pdet + extra, sout))
        if problems:
            report.fail("unknown", name, seed, "; ".join(problems), data)
        else:
            report.ok("unknown")


def field_record(rng, field, classes, gen_depth=3):
    """A random valid wire record of `field` (one element for repeated, one entry for maps)."""
    number = field.number
    if is_map(field):
        kf = field.message_type.fields_by_name["key"]
        vf = field.message_type.fields_by_name["value"]
        entry = field.message_type
        parts = []
        if rng.random() < 0.8:
            parts.append(scalar_or_message_record(rng, kf, classes, gen_depth))
        if rng.random() < 0.8:
            parts.append(scalar_or_message_record(rng, vf, classes, gen_depth))
        if rng.random() < 0.3:
            parts.reverse()
        if rng.random() < 0.2:
            parts.append(random_unknown_fields(rng, entry, count=1))
        body = b"".join(parts)
        return varint(number << 3 | 2) + varint(len(body)) + body
    if field.label == FD.LABEL_REPEATED and field.type not in (FD.TYPE_MESSAGE, FD.TYPE_STRING, FD.TYPE_BYTES):
        fake = _ScalarView(field)
        return scalar_or_message_record(rng, fake, classes, gen_depth)
    return scalar_or_message_record(rng, field, classes, gen_depth)


class _ScalarView:
    """A repeated scalar field seen as one unpacked element."""

    def __init__(self, field):
        self.number, self.type, self.enum_type, self.label = field.number, field.type, field.enum_type, FD.LABEL_OPTIONAL
        self.message_type = None


def scalar_or_message_record(rng, field, classes, gen_depth):
    number = field.number
    t = field.type
    key = lambda wt: varint(number << 3 | wt, pad=1 if rng.random() < 0.1 else 0)  # noqa: E731
    if t == FD.TYPE_MESSAGE:
        cls = classes.get(field.message_type.full_name) or message_class(field.message_type)
        sub = cls()
        g = Generator(rng, classes, unknown_rate=0.05)
        g.MAX_DEPTH = gen_depth
        g.fill(sub)
        body = sub.SerializeToString(deterministic=True)
        return key(2) + varint(len(body)) + body
    value = rand_scalar(rng, field)
    if t in (FD.TYPE_STRING, FD.TYPE_BYTES):
        body = value.encode() if isinstance(value, str) else value
        return key(2) + varint(len(body), pad=1 if rng.random() < 0.1 else 0) + body
    if t in (FD.TYPE_DOUBLE,):
        return key(1) + struct.pack("<d", value)
    if t in (FD.TYPE_FIXED64,):
        return key(1) + struct.pack("<Q", value)
    if t in (FD.TYPE_SFIXED64,):
        return key(1) + struct.pack("<q", value)
    if t in (FD.TYPE_FLOAT,):
        return key(5) + struct.pack("<f", value)
    if t in (FD.TYPE_FIXED32,):
        return key(5) + struct.pack("<I", value)
    if t in (FD.TYPE_SFIXED32,):
        return key(5) + struct.pack("<i", value)
    if t == FD.TYPE_SINT32:
        return key(0) + varint((value << 1) ^ (value >> 31))
    if t == FD.TYPE_SINT64:
        return key(0) + varint((value << 1) ^ (value >> 63))
    if t == FD.TYPE_BOOL:
        return key(0) + varint(rng.choice([0, 1, 2, 255, 2**63]) if value else 0)
    pad = 1 if rng.random() < 0.1 else 0
    return key(0) + varint(value, pad=pad)


def noncanonical(rng, data, desc, classes):
    """An equivalent-or-not re-arrangement of a valid encoding; Python decides what it means."""
    records = [r[2] + r[3] for r in split_records(data)]
    fields = list(desc.fields)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if op < 0.3 and len(records) > 1:
            rng.shuffle(records)
        elif op < 0.65 and fields:
            # An extra record of a known field somewhere: an earlier value of a singular field,
            # another oneof member, another element or map entry.
            records.insert(rng.randint(0, len(records)), field_record(rng, rng.choice(fields), classes))
        elif op < 0.85:
            # Split a sub-message record into two records that merge back.
            splittable = []
            for i, rec in enumerate(records):
                f, wt, k, v = split_records(rec)[0]
                field = desc.fields_by_number.get(f)
                if field is not None and wt == 2 and field.type == FD.TYPE_MESSAGE and not is_map(field) \
                        and field.label != FD.LABEL_REPEATED:
                    splittable.append(i)
            if splittable:
                i = rng.choice(splittable)
                f, wt, k, v = split_records(records[i])[0]
                n, p = read_varint(v, 0)
                body = v[p:]
                inner = [r[2] + r[3] for r in split_records(body)]
                cut = rng.randint(0, len(inner))
                a, b = b"".join(inner[:cut]), b"".join(inner[cut:])
                records[i:i + 1] = [k + varint(len(a)) + a, k + varint(len(b)) + b]
        elif records:
            # Duplicate a record (last one wins for singular fields; repeated ones append).
            i = rng.randrange(len(records))
            records.insert(rng.randint(0, len(records)), records[i])
    return b"".join(records)


def phase_reorder(tool, report, classes, names, count, base_seed):
    cases = []
    for name in names:
        for i in range(count):
            seed = "%s:reorder:%s:%d" % (base_seed, name, i)
            rng = random.Random(seed)
            msg = Generator(rng, classes).fill(classes[name]())
            data = noncanonical(rng, msg.SerializeToString(deterministic=True), classes[name].DESCRIPTOR, classes)
            cases.append((name, seed, data))
    out = tool.run([(c[0], c[2]) for c in cases], "--deterministic", "--roundtrip-check")
    for (name, seed, data), (rname, sout) in zip(cases, out):
        expected, perr = try_parse(classes[name], data)
        problems = []
        if perr and rname == name:
            problems.append("Python rejects (%s) but Swift accepts" % perr)
        elif not perr and rname != name:
            problems.append("Python accepts but Swift answered %s: %s" % (rname, sout.decode(errors="replace")))
        elif not perr:
            back, err = try_parse(classes[name], sout)
            if err:
                problems.append("Python cannot parse Swift's bytes: " + err)
            else:
                d = message_diff(expected, back)
                if d:
                    problems.append("differs from Python's parse: " + d)
        if problems:
            report.fail("reorder", name, seed, "; ".join(problems), data)
        else:
            report.ok("reorder")


INVALID_UTF8 = [b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80", b"\xf8\x88\x80\x80\x80"]


def mutate(rng, data, desc):
    kind = rng.random()
    if kind < 0.25 and data:
        return data[:rng.randrange(len(data))]
    if kind < 0.5 and data:
        b = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        return bytes(b)
    if kind < 0.75:
        # A string field (maybe inside a map entry or sub-message) with invalid UTF-8.
        strings = [f for f in desc.fields if f.type == FD.TYPE_STRING]
        if strings:
            f = rng.choice(strings)
            body = "ok".encode() + rng.choice(INVALID_UTF8) + "ok".encode()
            return data + varint(f.number << 3 | 2) + varint(len(body)) + body
        return data + b"\x0a"
    tail = rng.choice([
        b"\x00",                       # field number 0
        b"\x0e", b"\x0f",              # wire types 6, 7
        b"\x0c",                       # end group without a start
        b"\x0b\x10\x01",               # start group without an end
        b"\x0b\x14",                   # end group of another field number
        b"\x0a\xff\xff\xff\xff\x0f",   # length far past the end
        b"\x0a\x80\x80\x80\x80\x08",   # length 2^31
        b"\x08" + b"\xff" * 10,       # varint longer than ten bytes
        b"\x08" + b"\xff" * 9 + b"\x01",  # ten-byte varint, top bits dropped
        b"\x08" + b"\xff" * 9 + b"\x7f",
        b"\x80\x80\x80\x80\x10",       # key wider than 32 bits
        b"\xf8\xff\xff\xff\x0f\x00",   # field number 2^29-1 (max), varint
        b"\x09\x00",                   # truncated fixed64
    ])
    return data + tail


def nested_value(depth_pairs):
    """ListValue nested `depth_pairs` times through Value.list_value (2 levels per pair)."""
    inner = b""
    for _ in range(depth_pairs):
        value = varint(6 << 3 | 2) + varint(len(inner)) + inner   # Value.list_value
        inner = varint(1 << 3 | 2) + varint(len(value)) + value     # ListValue.values
    return inner


def phase_mutate(tool, report, classes, names, count, base_seed):
    cases = []
    for name in names:
        for i in range(count):
            seed = "%s:mutate:%s:%d" % (base_seed, name, i)
            rng = random.Random(seed)
            msg = Generator(rng, classes).fill(classes[name]())
            cases.append((name, seed, mutate(rng, msg.SerializeToString(deterministic=True), classes[name].DESCRIPTOR)))
    # Depth limit: both sides allow 100 nested levels.
    for pairs in range(47, 53):
        cases.append(("google.protobuf.ListValue", "depth:listvalue:%d" % pairs, nested_value(pairs)))
    for depth in (98, 99, 100, 101, 102):
        cases.append(("portal.v1.PageInfo", "depth:groups:%d" % depth, nested_groups_field(depth)))
    out = tool.run([(c[0], c[2]) for c in cases], "--deterministic", "--roundtrip-check")
    agree_reject = 0
    for (name, seed, data), (rname, sout) in zip(cases, out):
        expected, perr = try_parse(classes[name], data)
        problems = []
        if perr and rname == name:
            problems.append("Python rejects (%s) but Swift accepts" % perr)
        elif not perr and rname != name:
            problems.append("Python accepts but Swift answered %s: %s" % (rname, sout.decode(errors="replace")))
        elif perr:
            if rname == "!roundtrip":
                problems.append("Swift round-trip check failed: " + sout.decode(errors="replace"))
            agree_reject += 1
        else:
            back, err = try_parse(classes[name], sout)
            if err:
                problems.append("Python cannot parse Swift's bytes: " + err)
            else:
                d = message_diff(expected, back)
                if d:
                    problems.append("differs from Python's parse: " + d)
        if problems:
            report.fail("mutate", name, seed, "; ".join(problems), data)
        else:
            report.ok("mutate")
    report.notes.append("mutate: %d inputs, %d rejected by both sides" % (len(cases), agree_reject))


def nested_groups_field(depth):
    """Unknown field 100 as groups nested `depth` deep (groups count toward the depth limit)."""
    start, end = varint(100 << 3 | 3), varint(100 << 3 | 4)
    return start * depth + end * depth


def protoc(args, data):
    return subprocess.run(["protoc", "-I", SCHEMA, "-I", WKT_ROOT] + args, input=data,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def phase_protoc(tool, report, classes, names, files, samples, per_type):
    by_type = {}
    for case in samples:
        by_type.setdefault(case[0], []).append(case)
    chosen = []
    for name in names:
        chosen.extend(by_type.get(name, [])[:per_type])
    out = tool.run([(c[0], c[4]) for c in chosen], "--deterministic")
    reverse_inputs = []
    for (name, seed, msg, data, pdet), (rname, sout) in zip(chosen, out):
        proto_file = files[name]
        if rname != name:
            report.fail("protoc", name, seed, "Swift answered %s" % rname, pdet)
            reverse_inputs.append(None)
            continue
        a = protoc(["--decode=" + name, proto_file], pdet)
        b = protoc(["--decode=" + name, proto_file], sout)
        if a.returncode or b.returncode:
            report.fail("protoc", name, seed, "protoc --decode failed: %s / %s" % (a.stderr.decode(), b.stderr.decode()), sout)
        elif a.stdout != b.stdout:
            report.fail("protoc", name, seed, "protoc --decode text differs:\n--- Python's bytes\n%s\n--- Swift's bytes\n%s"
                        % (a.stdout.decode(errors="replace"), b.stdout.decode(errors="replace")), sout)
        else:
            report.ok("protoc")
        # Reverse: text -> protoc --encode -> Swift -> Python. The text format has no syntax for
        # unknown fields, so the text comes from a copy without them.
        known_only = classes[name]()
        known_only.CopyFrom(msg)
        known_only.DiscardUnknownFields()
        text = protoc(["--decode=" + name, proto_file], known_only.SerializeToString(deterministic=True)).stdout
        enc = protoc(["--encode=" + name, proto_file], text)
        reverse_inputs.append(enc.stdout if enc.returncode == 0 else None)
        if enc.returncode:
            report.fail("protoc", name, seed, "protoc --encode failed: " + enc.stderr.decode(), text)
    todo = [(c, r) for c, r in zip(chosen, reverse_inputs) if r is not None]
    back = tool.run([(c[0], r) for c, r in todo], "--deterministic", "--roundtrip-check")
    for ((name, seed, msg, data, pdet), encoded), (rname, sout) in zip(todo, back):
        if rname != name:
            report.fail("protoc", name, seed, "reverse: Swift answered %s: %s" % (rname, sout.decode(errors="replace")), encoded)
            continue
        expected = parse(classes[name], encoded)
        got, err = try_parse(classes[name], sout)
        d = err or message_diff(expected, got)
        if not d and not has_map_entries(expected) and sout != encoded:
            d = "bytes differ from protoc --encode: " + hexdiff(encoded, sout)
        if d:
            report.fail("protoc", name, seed, "reverse: " + d, encoded)
        else:
            report.ok("protoc")


def phase_edge(tool, report, classes):
    """Hand-written cases with a known right answer."""
    complaint = classes["portal.v1.Complaint"]
    struct_cls = classes["google.protobuf.Struct"]
    cases = []

    m = complaint()
    m.labels["\u00e9"] = "precomposed"
    m.labels["e\u0301"] = "decomposed"
    cases.append(("canonically-equivalent map<string,string> keys (U+00E9 vs e+U+0301)", m))

    m = complaint()
    m.labels["\u212b"] = "angstrom sign"
    m.labels["\u00c5"] = "A with ring"
    m.labels["A\u030a"] = "A + combining ring"
    cases.append(("three canonically-equivalent map keys (U+212B, U+00C5, A+U+030A)", m))

    s = struct_cls()
    s.fields["\u00e9"].number_value = 1
    s.fields["e\u0301"].string_value = "two"
    cases.append(("canonically-equivalent Struct field names", s))

    m = complaint()
    m.location.accuracy_m = -0.0
    m.location.latitude = -0.0
    cases.append(("-0.0 in a double and a proto3 optional float", m))

    m = complaint()
    m.status = -2**31
    m.tier = 2**31 - 1
    cases.append(("extreme unknown enum numbers", m))

    for label, msg in cases:
        name = msg.DESCRIPTOR.full_name
        data = msg.SerializeToString(deterministic=True)
        (rname, sout), = tool.run([(name, data)], "--roundtrip-check")
        back, err = try_parse(classes[name], sout) if rname == name else (None, rname + ": " + sout.decode(errors="replace"))
        d = err or message_diff(msg, back)
        if d:
            report.fail("edge", name, label, d + "\n      Swift returned: " + hexdump(sout), data)
        else:
            report.ok("edge")


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tool", required=True, help="path to the built interop-tool")
    parser.add_argument("--count", type=int, default=200, help="random messages per type (default 200)")
    parser.add_argument("--seed", default="portal-interop-1", help="base seed (default portal-interop-1)")
    parser.add_argument("--only", help="limit to one message type (full proto name)")
    parser.add_argument("--protoc-samples", type=int, default=3, help="protoc cross-checks per type")
    args = parser.parse_args()

    tool = Tool(os.path.abspath(args.tool))
    report = Report()
    with tempfile.TemporaryDirectory(prefix="portal-interop-") as tmp:
        files = compile_schema(tmp)
        descs = all_message_descriptors(files)
        classes = {name: message_class(d) for name, (d, _) in descs.items()}
        type_files = {name: f for name, (_, f) in descs.items()}

        swift_types = set(tool.list_types())
        if swift_types != set(descs):
            report.fail("types", "-", "-", "PortalSchema.messageTypes and the .proto files disagree: only Swift %s, only Python %s"
                        % (sorted(swift_types - set(descs)), sorted(set(descs) - swift_types)))
        else:
            report.ok("types")
        names = sorted(descs)
        if args.only:
            names = [args.only]

        samples = []
        small = max(1, args.count // 10)
        phase_random(tool, report, classes, names, args.count, args.seed, samples)
        phase_unknown(tool, report, classes, names, small, args.seed)
        phase_reorder(tool, report, classes, names, small * 2, args.seed)
        phase_mutate(tool, report, classes, names, small * 2, args.seed)
        phase_protoc(tool, report, classes, names, type_files, samples, args.protoc_samples)
        phase_edge(tool, report, classes)
        from interop_json import phase_json
        phase_json(tool, report, classes, names, small * 2, args.seed, Generator, message_diff)

    for note in report.notes:
        print("note: " + note)
    for phase, (ok, bad) in report.by_phase.items():
        print("  %-8s %6d passed %4d failed" % (phase, ok, bad))
    if report.ambiguous_rejected:
        print("note: %d inputs with canonically-equivalent map keys were rejected by Swift (ambiguousMapKey), as documented"
              % report.ambiguous_rejected)
    print("interop: %d passed, %d failed" % (report.passed, report.failed))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
