import PortalModel

/// Any generated message as proto3 JSON, read through `Mirror` so one function serves every
/// message of the schema:
///
/// - field names are the generated property names, i.e. the proto's lowerCamel `json_name`
///   (our `.proto` files use snake_case, for which the two agree); the `_p` suffix the
///   generator adds to names Swift or the runtime reserve (`description_p`) is removed;
/// - every field without presence is written, defaults included (protobuf's
///   "always print fields with no presence" option: still valid proto3 JSON, and scripts find
///   every key); unset message fields, unset `optional` fields and unset oneofs are left out;
/// - a set oneof member appears as its own field; 64-bit integers are strings, enums their
///   proto names (an unknown number as a number), bytes base64, floats `NaN`/`Infinity` as
///   strings, `Timestamp` RFC 3339 in UTC, `Duration` `"1.500s"`, wrappers their bare value,
///   maps objects with keys sorted.
enum MessageJSON {
    static func object(_ message: any ProtoMessage) -> JSONValue {
        if let special = wellKnown(message) { return special }
        var members: [(String, JSONValue)] = []
        for child in Mirror(reflecting: message).children {
            guard let label = child.label, label != "unknownFields" else { continue }
            guard let value = unwrap(child.value) else { continue }  // unset optional or message
            if !(value is any ProtoEnum), Mirror(reflecting: value).displayStyle == .enum {
                // A oneof: its case is the member that is set.
                guard let member = Mirror(reflecting: value).children.first, let name = member.label else { continue }
                members.append((jsonName(name), convert(member.value)))
                continue
            }
            members.append((jsonName(label), convert(value)))
        }
        return .object(members)
    }

    /// The JSON name of a generated property or oneof case.
    static func jsonName(_ swiftName: String) -> String {
        if swiftName.hasSuffix("_p") {
            let base = String(swiftName.dropLast(2))
            if reservedMembers.contains(base) { return base }
        }
        return swiftName
    }

    /// Names the generator suffixes with `_p` (SchemaCompiler's `SwiftNaming.reservedMembers`).
    static let reservedMembers: Set<String> = [
        "unknownFields", "encodedSize", "hashValue", "serializedBytes", "merge", "decodeFields",
        "encodeFields", "computeEncodedSize", "append", "init", "self", "Type", "Protocol",
        "protoMessageName", "description", "debugDescription", "hash",
    ]

    /// `Optional.some(x)` -> x, `nil` -> nil, anything else unchanged.
    static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        guard let inner = mirror.children.first?.value else { return nil }
        return unwrap(inner)
    }

    static func convert(_ value: Any) -> JSONValue {
        switch value {
        case let e as any ProtoEnum:
            return e.protoName.map(JSONValue.string) ?? .number(String(e.rawValue))
        case let m as any ProtoMessage: return object(m)
        case let s as String: return .string(s)
        case let b as Bool: return .bool(b)
        case let n as Int32: return .number(String(n))
        case let n as UInt32: return .number(String(n))
        case let n as Int: return .number(String(n))
        case let n as Int64: return .string(String(n))
        case let n as UInt64: return .string(String(n))
        case let d as Double: return number(d)
        case let f as Float: return f.isFinite ? .number(f.description) : number(Double(f))
        default: break
        }
        // `bytes`. Checked by exact type: an empty array of anything casts to [UInt8].
        if type(of: value) == [UInt8].self, let bytes = value as? [UInt8] { return .string(Base64.encode(bytes)) }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return unwrap(value).map(convert) ?? .null
        case .collection, .set:
            return .array(mirror.children.map { convert($0.value) })
        case .dictionary:
            var members: [(String, JSONValue)] = []
            for entry in mirror.children {
                let pair = Array(Mirror(reflecting: entry.value).children)
                guard pair.count == 2 else { continue }
                members.append((mapKey(pair[0].value), convert(pair[1].value)))
            }
            return .object(members.sorted { $0.0 < $1.0 })
        default:
            return .string(String(describing: value))
        }
    }

    static func mapKey(_ key: Any) -> String {
        switch key {
        case let s as String: return s
        case let b as Bool: return b ? "true" : "false"
        default: return String(describing: key)
        }
    }

    static func number(_ d: Double) -> JSONValue {
        if d.isNaN { return .string("NaN") }
        if d.isInfinite { return .string(d < 0 ? "-Infinity" : "Infinity") }
        return .number(d.description)
    }

    /// Timestamp, Duration, the wrappers and Empty have their own JSON forms.
    static func wellKnown(_ message: any ProtoMessage) -> JSONValue? {
        switch message {
        case let t as Google_Protobuf_Timestamp:
            return .string(Time.rfc3339(seconds: t.seconds, nanos: t.nanos))
        case let d as Google_Protobuf_Duration:
            return .string(Time.duration(seconds: d.seconds, nanos: d.nanos))
        default:
            break
        }
        let name = type(of: message).protoMessageName
        guard name.hasPrefix("google.protobuf.") else { return nil }
        switch name.dropFirst("google.protobuf.".count) {
        case "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue", "StringValue", "BytesValue":
            guard let v = Mirror(reflecting: message).children.first(where: { $0.label == "value" })?.value else { return nil }
            return convert(v)
        default:
            return nil
        }
    }
}

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding (RFC 4648 §4), as proto3 JSON writes bytes.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
