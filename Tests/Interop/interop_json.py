"""The `json` phase of interop.py: the proto3 JSON mapping against Python's json_format.

Random messages (fixed seeds, no unknown fields: JSON has no place for them) of every type go
both ways:

  Swift writes   Python's binary -> interop-tool --to-json -> json_format.Parse must give a
                 message equal to the original. When Swift finds no JSON form (a Timestamp
                 out of range, a FieldMask path that does not round-trip, an Any of an
                 unknown type), Python's MessageToJson must fail too, and the reverse.
  Swift reads    json_format.MessageToJson (ASCII-escaped, so astral characters arrive as
                 surrogate pairs) -> interop-tool --from-json -> binary that Python parses to
                 a message equal to the original.

Two documented differences, counted rather than failed: a Timestamp or Duration whose `nanos`
is out of range (or of the other sign than `seconds`) is invalid, and Swift, like protobuf's
C++ runtime, refuses to write it, where Python 4.21 normalizes it; and a Value holding NaN or an
infinity, which Python 4.21 writes as the string "NaN" (read back as a string_value) and Swift,
like C++ and later Python versions, refuses.

A third, the other way round: a FieldMask path with a non-ASCII capital letter (`aΩb`). Python
4.21 refuses to write it (it checks `str.isupper`, which knows all of Unicode); Swift, like
C++ (`absl::ascii_isupper`), refuses only ASCII capitals, since only those would not survive the
lowerCamelCase conversion back, and writes it.

Messages are compared field by field (NaN-aware); when that fails only because bytes inside
an Any differ (map entries re-serialized in another order), Python's own JSON of both sides,
with sorted keys, decides.
"""

import random
import re

# Swift's reasons for refusing what Python 4.21 writes anyway (see above).
KNOWN_REFUSALS = (" nanos ", "google.protobuf.Value cannot hold")

from google.protobuf import json_format


def python_json(msg):
    """Python's JSON of `msg`, or None when it has none."""
    return python_json_or_reason(msg)[0]


def python_json_or_reason(msg):
    """(Python's JSON of `msg`, None), or (None, why Python has none)."""
    try:
        return json_format.MessageToJson(msg, indent=None), None
    except Exception as e:  # noqa: BLE001 - json_format raises several types
        return None, str(e)


def same_message(msg, back, message_diff):
    diff = message_diff(msg, back)
    if not diff:
        return None
    a, b = python_json(msg), python_json(back)
    if a is not None and b is not None:
        import json
        if json.loads(a) == json.loads(b):
            return None
    return diff


def phase_json(tool, report, classes, names, count, base_seed, generator, message_diff):
    cases = []
    for name in names:
        for i in range(count):
            seed = "%s:json:%s:%d" % (base_seed, name, i)
            msg = generator(random.Random(seed), classes, unknown_rate=0).fill(classes[name]())
            cases.append((name, seed, msg, msg.SerializeToString(deterministic=True)))

    # Swift writes, Python reads.
    answers = tool.run([(c[0], c[3]) for c in cases], "--to-json")
    both_refused = known_refused = python_refused = 0
    for (name, seed, msg, data), (rname, out) in zip(cases, answers):
        expected = python_json(msg)
        if rname == "!error":
            if expected is None:
                both_refused += 1
                report.ok("json")
            elif any(k in out.decode(errors="replace") for k in KNOWN_REFUSALS):
                known_refused += 1
                report.ok("json")
            else:
                report.fail("json", name, seed, "Swift found no JSON form (%s); Python wrote %s"
                            % (out.decode(errors="replace"), expected[:300]), data)
            continue
        text = out.decode()
        if expected is None:
            reason = python_json_or_reason(msg)[1] or ""
            m = re.search(r"Path name (.*) must not contain uppercase letters", reason, re.S)
            if m and not any(c.isascii() and c.isupper() for c in m.group(1)):
                python_refused += 1
                report.ok("json")
                continue
            report.fail("json", name, seed, "Swift wrote %s; Python finds no JSON form (%s)" % (text[:300], reason), data)
            continue
        try:
            back = json_format.Parse(text, classes[name]())
        except Exception as e:  # noqa: BLE001
            report.fail("json", name, seed, "Python cannot parse Swift's JSON (%s): %s" % (e, text[:300]), data)
            continue
        diff = same_message(msg, back, message_diff)
        if diff:
            report.fail("json", name, seed, "Python's parse of Swift's JSON differs: %s\n      %s" % (diff, text[:300]), data)
        else:
            report.ok("json")

    # Python writes, Swift reads.
    readable = [(c, python_json(c[2])) for c in cases]
    readable = [(c, t) for c, t in readable if t is not None]
    answers = tool.run([(c[0], t.encode()) for c, t in readable], "--from-json")
    for ((name, seed, msg, data), text), (rname, out) in zip(readable, answers):
        if rname != name:
            report.fail("json", name, seed, "Swift cannot read Python's JSON (%s): %s"
                        % (out.decode(errors="replace"), text[:300]), data)
            continue
        back = classes[name]()
        back.ParseFromString(out)
        diff = same_message(msg, back, message_diff)
        if diff:
            report.fail("json", name, seed, "Swift's reading of Python's JSON differs: %s\n      %s" % (diff, text[:300]), data)
        else:
            report.ok("json")
    report.notes.append("json: %d messages each way; %d without a JSON form in either runtime, %d (invalid nanos, "
                        "non-finite Value) that only Python writes, %d (non-ASCII capitals in FieldMask paths) that "
                        "only Swift writes" % (len(cases), both_refused, known_refused, python_refused))
