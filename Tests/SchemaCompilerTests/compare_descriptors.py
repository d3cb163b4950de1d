#!/usr/bin/python3
"""Compares portal-codegen's parsed model with protoc's for one .proto file.

usage: compare_descriptors.py PROTOC_SET.pb OURS.json FILE_NAME

PROTOC_SET.pb is `protoc --descriptor_set_out` output (a FileDescriptorSet); OURS.json is
`DescriptorDump.json` output; FILE_NAME is the file's import path (its `name` in both).
Both sides are reduced to the same plain structure -- package, dependencies, messages by
nested path (fields with name, number, label, type, type_name, oneof_index, proto3_optional,
json_name and effective packed-ness; map_entry; oneof names; reserved ranges and names),
enums and values, services and methods -- and every difference is printed as
`path: protoc=X ours=Y`. Exit status: 0 equal, 1 different, 2 bad input.

Run it with Debian's /usr/bin/python3, which has python3-protobuf (descriptor_pb2).
"""
import json
import sys

from google.protobuf import descriptor_pb2

FDP = descriptor_pb2.FieldDescriptorProto
# Types that proto3 packs by default when repeated: every scalar but string and bytes, and enums.
PACKABLE = {
    FDP.TYPE_DOUBLE, FDP.TYPE_FLOAT, FDP.TYPE_INT64, FDP.TYPE_UINT64, FDP.TYPE_INT32,
    FDP.TYPE_FIXED64, FDP.TYPE_FIXED32, FDP.TYPE_BOOL, FDP.TYPE_UINT32, FDP.TYPE_ENUM,
    FDP.TYPE_SFIXED32, FDP.TYPE_SFIXED64, FDP.TYPE_SINT32, FDP.TYPE_SINT64,
}


# ---- protoc's FileDescriptorProto -> plain structure ----

def protoc_field(f, syntax):
    if f.options.HasField("packed"):
        packed = f.options.packed
    else:
        packed = syntax == "proto3" and f.label == FDP.LABEL_REPEATED and f.type in PACKABLE
    return {
        "name": f.name,
        "number": f.number,
        "label": f.label,
        "type": f.type,
        "type_name": f.type_name,
        "oneof_index": f.oneof_index if f.HasField("oneof_index") else None,
        "proto3_optional": f.proto3_optional,
        "json_name": f.json_name,
        "packed": packed,
    }


def protoc_enum(e):
    return {
        "name": e.name,
        "value": [{"name": v.name, "number": v.number} for v in e.value],
        "reserved_range": [[r.start, r.end] for r in e.reserved_range],
        "reserved_name": list(e.reserved_name),
    }


def protoc_message(m, syntax):
    return {
        "name": m.name,
        "map_entry": m.options.map_entry,
        "field": [protoc_field(f, syntax) for f in m.field],
        "oneof_decl": [o.name for o in m.oneof_decl],
        "nested_type": [protoc_message(n, syntax) for n in m.nested_type],
        "enum_type": [protoc_enum(e) for e in m.enum_type],
        "reserved_range": [[r.start, r.end] for r in m.reserved_range],
        "reserved_name": list(m.reserved_name),
    }


def protoc_file(fd):
    syntax = fd.syntax or "proto2"
    return {
        "name": fd.name,
        "syntax": syntax,
        "package": fd.package,
        "dependency": list(fd.dependency),
        "public_dependency": list(fd.public_dependency),
        "message_type": [protoc_message(m, syntax) for m in fd.message_type],
        "enum_type": [protoc_enum(e) for e in fd.enum_type],
        "service": [{
            "name": s.name,
            "method": [{
                "name": m.name,
                "input_type": m.input_type,
                "output_type": m.output_type,
                "client_streaming": m.client_streaming,
                "server_streaming": m.server_streaming,
            } for m in s.method],
        } for s in fd.service],
    }


# ---- DescriptorDump JSON -> the same structure ----

def our_field(f):
    return {
        "name": f["name"],
        "number": f["number"],
        "label": f["label"],
        "type": f["type"],
        "type_name": f.get("type_name", ""),
        "oneof_index": f.get("oneof_index"),
        "proto3_optional": bool(f.get("proto3_optional", False)),
        "json_name": f["json_name"],
        "packed": bool(f.get("packed", False)),
    }


def our_enum(e):
    return {
        "name": e["name"],
        "value": [{"name": v["name"], "number": v["number"]} for v in e.get("value", [])],
        "reserved_range": [[r["start"], r["end"]] for r in e.get("reserved_range", [])],
        "reserved_name": list(e.get("reserved_name", [])),
    }


def our_message(m):
    return {
        "name": m["name"],
        "map_entry": bool(m.get("map_entry", False)),
        "field": [our_field(f) for f in m.get("field", [])],
        "oneof_decl": [o["name"] for o in m.get("oneof_decl", [])],
        "nested_type": [our_message(n) for n in m.get("nested_type", [])],
        "enum_type": [our_enum(e) for e in m.get("enum_type", [])],
        "reserved_range": [[r["start"], r["end"]] for r in m.get("reserved_range", [])],
        "reserved_name": list(m.get("reserved_name", [])),
    }


def our_file(f):
    return {
        "name": f["name"],
        "syntax": f.get("syntax", "proto2"),
        "package": f.get("package", ""),
        "dependency": list(f.get("dependency", [])),
        "public_dependency": list(f.get("public_dependency", [])),
        "message_type": [our_message(m) for m in f.get("message_type", [])],
        "enum_type": [our_enum(e) for e in f.get("enum_type", [])],
        "service": [{
            "name": s["name"],
            "method": [{
                "name": m["name"],
                "input_type": m["input_type"],
                "output_type": m["output_type"],
                "client_streaming": bool(m.get("client_streaming", False)),
                "server_streaming": bool(m.get("server_streaming", False)),
            } for m in s.get("method", [])],
        } for s in f.get("service", [])],
    }


# ---- comparison ----

def label(item, index):
    """`[2 Name]` for named list items, `[2]` otherwise, so paths read as nested type paths."""
    if isinstance(item, dict) and "name" in item:
        return "[%d %s]" % (index, item["name"])
    return "[%d]" % index


def diff(path, theirs, ours, out):
    if isinstance(theirs, dict) and isinstance(ours, dict):
        for key in sorted(set(theirs) | set(ours)):
            diff("%s.%s" % (path, key), theirs.get(key), ours.get(key), out)
    elif isinstance(theirs, list) and isinstance(ours, list):
        if len(theirs) != len(ours):
            out.append("%s: protoc has %d entries, ours %d: protoc=%r ours=%r"
                       % (path, len(theirs), len(ours), theirs, ours))
            return
        for i, (t, o) in enumerate(zip(theirs, ours)):
            diff(path + label(t, i), t, o, out)
    elif theirs != ours:
        out.append("%s: protoc=%r ours=%r" % (path, theirs, ours))


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    protoc_path, ours_path, name = argv[1:]
    fds = descriptor_pb2.FileDescriptorSet()
    with open(protoc_path, "rb") as fh:
        fds.ParseFromString(fh.read())
    with open(ours_path, encoding="utf-8") as fh:
        dump = json.load(fh)
    theirs = [f for f in fds.file if f.name == name]
    ours = [f for f in dump.get("file", []) if f.get("name") == name]
    if len(theirs) != 1 or len(ours) != 1:
        print("%s: expected one file in each input, protoc has %d, ours %d"
              % (name, len(theirs), len(ours)))
        return 2
    out = []
    diff(name, protoc_file(theirs[0]), our_file(ours[0]), out)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
