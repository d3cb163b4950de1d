import Foundation

/// Emits `decodeFields(from:)`, `computeEncodedSize(_:)` and `encodeFields(to:)` for one
/// message. Keys are precomputed; fields are written in field-number order.
struct CodecEmitter {
    let message: MessageDecl
    let types: TypeNames

    var fieldsByNumber: [FieldDecl] { message.fields.sorted { $0.number < $1.number } }

    func emit(into w: inout CodeWriter) {
        emitDecode(into: &w)
        w.line()
        emitSize(into: &w)
        w.line()
        emitEncode(into: &w)
    }

    // MARK: Field facts

    func wireType(_ f: FieldDecl) -> Int {
        switch f.type {
        case .scalar(let s): return ScalarCodec.of(s).wireType
        case .enumeration: return 0
        default: return 2
        }
    }

    func tag(_ f: FieldDecl, wire: Int? = nil) -> UInt32 { UInt32(f.number) << 3 | UInt32(wire ?? wireType(f)) }

    func tagSize(_ raw: UInt32) -> Int {
        var n = 1
        var v = raw >> 7
        while v != 0 { n += 1; v >>= 7 }
        return n
    }

    func isMessage(_ f: FieldDecl) -> Bool {
        if case .message = f.type { return true }
        return false
    }

    func read(_ f: FieldDecl, reader: String = "reader") -> String {
        switch f.type {
        case .scalar(.string): return "try \(reader).readString(fieldNumber: \(f.number))"
        case .scalar(let s): return "try \(reader).\(ScalarCodec.of(s).read)()"
        case .enumeration(let e): return "try \(reader).readEnum(\(types.qualifiedName(e)).self)"
        case .message(let m): return "try \(reader).readMessage(\(types.qualifiedName(m)).self)"
        case .named: return ""
        }
    }

    func write(_ f: FieldDecl, _ v: String) -> String {
        switch f.type {
        case .scalar(let s): return "writer.\(ScalarCodec.of(s).write)(\(v))"
        case .enumeration: return "writer.writeEnum(\(v))"
        default: return "writer.writeMessage(\(v))"
        }
    }

    /// Size of one value without its key.
    func size(_ f: FieldDecl, _ v: String) -> String {
        switch f.type {
        case .scalar(let s): return ScalarCodec.of(s).sizeExpr.applied(to: v)
        case .enumeration: return "ProtoSize.enumValue(\(v))"
        default: return "ProtoSize.lengthDelimited(cache.messageSize(\(v)))"
        }
    }

    func fixedWidth(_ f: FieldDecl) -> Int? {
        if case .scalar(let s) = f.type { return ScalarCodec.of(s).fixedSize }
        return nil
    }

    func isSet(_ f: FieldDecl, _ v: String) -> String {
        switch f.type {
        case .scalar(let s): return ScalarCodec.of(s).isSet.applied(to: v)
        case .enumeration: return "\(v).rawValue != 0"
        default: return "true"
        }
    }

    func prop(_ f: FieldDecl) -> String { "self." + SwiftNaming.escaped(types.fieldName(f)) }

    func oneof(_ f: FieldDecl) -> OneofDecl? {
        guard let i = f.oneofIndex, !message.oneofs[i].isSynthetic else { return nil }
        return message.oneofs[i]
    }

    // MARK: Decode

    func emitDecode(into w: inout CodeWriter) {
        w.block("public mutating func decodeFields(from reader: inout ProtoReader) throws(ProtoDecodingError)") { w in
            w.block("while !reader.isAtEnd") { w in
                w.line("let start = reader.position")
                w.line("let tag = try reader.readTag()")
                w.switchBlock("tag.rawValue") { w in
                    for f in fieldsByNumber { emitDecodeCase(f, into: &w) }
                    w.line("default:")
                    w.line("    try reader.skipUnknown(tag, from: start, into: &self.unknownFields)")
                }
            }
        }
    }

    func emitDecodeCase(_ f: FieldDecl, into w: inout CodeWriter) {
        if let entry = f.mapEntry {
            emitMapDecode(f, entry: entry, into: &w)
            return
        }
        if f.label == .repeated {
            if f.isPacked || fixedWidth(f) != nil || isPackableType(f) {
                // Packable fields accept both packed and unpacked input.
                let reader: String
                let transform: String
                switch f.type {
                case .scalar(let s):
                    reader = ScalarCodec.of(s).packedReader!
                    transform = ScalarCodec.of(s).packedTransform
                case .enumeration(let e):
                    reader = "readPackedVarints32"
                    transform = "{ \(types.qualifiedName(e))(rawValue: Int32(bitPattern: $0)) }"
                default:
                    reader = ""; transform = ""
                }
                if !reader.isEmpty {
                    w.line("case \(tag(f, wire: 2)):")
                    w.line("    try reader.\(reader)(into: &\(prop(f))) \(transform)")
                }
            }
            w.line("case \(tag(f)):")
            switch f.type {
            case .scalar(.string):
                // Stay on the run of elements rather than re-entering the switch for each.
                w.line("    try reader.readRepeatedStrings(key: \(tag(f)), fieldNumber: \(f.number), into: &\(prop(f)))")
            case .scalar(.bytes):
                w.line("    try reader.readRepeatedBytes(key: \(tag(f)), into: &\(prop(f)))")
            case .message:
                w.line("    try reader.readRepeatedMessages(key: \(tag(f)), into: &\(prop(f)))")
            default:
                w.line("    \(prop(f)).append(\(read(f)))")
            }
            return
        }
        w.line("case \(tag(f)):")
        w.indent()
        defer { w.outdent() }
        if let o = oneof(f) {
            let c = SwiftNaming.escaped(types.fieldName(f))
            let op = "self." + SwiftNaming.escaped(types.oneofProperty(o))
            if isMessage(f) {
                w.line("var value = \(types.defaultValue(f))")
                w.line("if case .\(c)(let existing)? = \(op) { value = existing }")
                w.line("try reader.readMessage(into: &value)")
                w.line("\(op) = .\(c)(value)")
            } else {
                w.line("\(op) = .\(c)(\(read(f)))")
            }
            return
        }
        if isMessage(f) {
            if types.needsBox(f, in: message) {
                let storage = "self." + types.boxStorage(f)
                w.line("if \(storage) == nil { \(storage) = ProtoBox(\(types.defaultValue(f))) }")
                w.line("try reader.readMessage(into: &\(storage)!.value)")
            } else {
                w.line("if \(prop(f)) == nil { \(prop(f)) = \(types.defaultValue(f)) }")
                w.line("try reader.readMessage(into: &\(prop(f))!)")
            }
            return
        }
        w.line("\(prop(f)) = \(read(f))")
    }

    func isPackableType(_ f: FieldDecl) -> Bool {
        switch f.type {
        case .scalar(let s): return s.isPackable
        case .enumeration: return true
        default: return false
        }
    }

    func emitMapDecode(_ f: FieldDecl, entry: MessageDecl, into w: inout CodeWriter) {
        let key = entry.mapKey!
        let value = entry.mapValue!
        w.line("case \(tag(f)):")
        w.indent()
        w.line("var key: \(types.valueType(key)) = \(types.defaultValue(key))")
        w.line("var value: \(types.valueType(value)) = \(types.defaultValue(value))")
        w.scope("try reader.readNested { (entry: inout ProtoReader) throws(ProtoDecodingError) in") { w in
            w.block("while !entry.isAtEnd") { w in
                w.line("let entryTag = try entry.readTag()")
                w.switchBlock("entryTag.rawValue") { w in
                    w.line("case \(tag(key)): key = \(read(key, reader: "entry").replacingOccurrences(of: "fieldNumber: 1", with: "fieldNumber: \(f.number)"))")
                    if isMessage(value) {
                        w.line("case \(tag(value)): try entry.readMessage(into: &value)")
                    } else {
                        w.line("case \(tag(value)): value = \(read(value, reader: "entry").replacingOccurrences(of: "fieldNumber: 2", with: "fieldNumber: \(f.number)"))")
                    }
                    w.line("default: try entry.skipField(entryTag)")
                }
            }
        }
        if case .scalar(.string) = key.type {
            w.line("try ProtoMaps.insert(&\(prop(f)), key: key, value: value, fieldNumber: \(f.number))")
        } else {
            w.line("\(prop(f))[key] = value")
        }
        w.outdent()
    }
}
