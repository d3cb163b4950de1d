/// Emits a message's `protoJSONTable`: one builder statement per field (names, key path or
/// oneof accessors, the PortalWire codec of its type) and, for the well-known types, their
/// special JSON form. The JSON logic itself lives in PortalWire; a table is a few lines per
/// field, built once on first use, and type-checks statement by statement.
struct JSONEmitter {
    let message: MessageDecl
    let types: TypeNames

    /// Well-known types whose JSON form is their single field's value.
    static let unwrapped: Set<String> = [
        "google.protobuf.Struct", "google.protobuf.ListValue",
        "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
        "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
        "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
    ]

    func emit(into w: inout CodeWriter) {
        let name = types.qualifiedName(message)
        let form = wellKnownForm()
        if message.fields.isEmpty && form == nil {
            w.line("public static let protoJSONTable = ProtoJSONTable<\(name)>()")
            return
        }
        w.scope("public static let protoJSONTable: ProtoJSONTable<\(name)> = {", close: "}()") { w in
            w.line("var t = ProtoJSONTable<\(name)>()")
            for f in message.fields { w.line(statement(f)) }
            if let form { w.line(form) }
            w.line("return t")
        }
    }

    /// protoc's `json_name`: the option when given, else the lowerCamelCase default.
    static func jsonName(_ f: FieldDecl) -> String {
        if case .string(let bytes)? = f.option("json_name") { return String(decoding: bytes, as: UTF8.self) }
        return f.jsonName
    }

    func statement(_ f: FieldDecl) -> String {
        let prop = SwiftNaming.escaped(types.fieldName(f))
        let names = "\(f.number), \(literal(f.name)), \(literal(Self.jsonName(f)))"
        if let entry = f.mapEntry {
            return "t.map(\(names), \\.\(prop), \(codec(entry.mapKey!)).self, \(codec(entry.mapValue!)).self)"
        }
        if f.label == .repeated { return "t.repeated(\(names), \\.\(prop), \(codec(f)).self)" }
        if let i = f.oneofIndex, !message.oneofs[i].isSynthetic {
            let o = SwiftNaming.escaped(types.oneofProperty(message.oneofs[i]))
            return "t.oneof(\(names), \(i), \(codec(f)).self, get: { if case .\(prop)(let v)? = $0.\(o) { return v }; return nil }, "
                + "set: { $0.\(o) = .\(prop)($1) })"
        }
        if types.hasPresence(f) { return "t.optional(\(names), \\.\(prop), \(codec(f)).self)" }
        return "t.singular(\(names), \\.\(prop), \(codec(f)).self)"
    }

    func codec(_ f: FieldDecl) -> String {
        if message.fullName == "google.protobuf.Value" && f.name == "number_value" { return "ProtoJSONValueNumber" }
        switch f.type {
        case .scalar(let s):
            switch s {
            case .int32, .sint32, .sfixed32: return "ProtoJSONInt32"
            case .uint32, .fixed32: return "ProtoJSONUInt32"
            case .int64, .sint64, .sfixed64: return "ProtoJSONInt64"
            case .uint64, .fixed64: return "ProtoJSONUInt64"
            case .float: return "ProtoJSONFloat"
            case .double: return "ProtoJSONDouble"
            case .bool: return "ProtoJSONBool"
            case .string: return "ProtoJSONString"
            case .bytes: return "ProtoJSONBytes"
            }
        case .enumeration(let e):
            let generic = e.fullName == "google.protobuf.NullValue" ? "ProtoJSONNullValue" : "ProtoJSONEnum"
            return "\(generic)<\(types.qualifiedName(e))>"
        case .message(let m): return "ProtoJSONMessage<\(types.qualifiedName(m))>"
        case .named(let n): return n  // unreachable after resolution
        }
    }

    func wellKnownForm() -> String? {
        func path(_ field: String) -> String {
            let f = message.fields.first { $0.name == field }
            return "\\." + SwiftNaming.escaped(f.map(types.fieldName) ?? field)
        }
        switch message.fullName {
        case let n where Self.unwrapped.contains(n): return "t.useUnwrappedForm()"
        case "google.protobuf.Value": return "t.useValueForm()"
        case "google.protobuf.Timestamp": return "t.useTimestampForm(seconds: \(path("seconds")), nanos: \(path("nanos")))"
        case "google.protobuf.Duration": return "t.useDurationForm(seconds: \(path("seconds")), nanos: \(path("nanos")))"
        case "google.protobuf.FieldMask": return "t.useFieldMaskForm(paths: \(path("paths")))"
        case "google.protobuf.Any": return "t.useAnyForm(typeURL: \(path("type_url")), value: \(path("value")))"
        default: return nil
        }
    }

    /// A Swift string literal.
    func literal(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 || ch.value == 0x7F {
                    out += "\\u{\(String(ch.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out + "\""
    }
}
