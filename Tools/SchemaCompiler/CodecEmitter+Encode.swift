import Foundation

/// The two encoding passes: `computeEncodedSize(_:)` records nested and packed sizes in
/// pre-order; `encodeFields(to:)` writes in field-number order, reading them back.
extension CodecEmitter {
    // MARK: Parts

    /// The fields in field-number order, cut into parts that each get a function of their
    /// own when a message has many fields. The optimiser stops inlining into a function
    /// once it grows past a few hundred basic blocks, so in one function covering a large
    /// message every `isEmpty`, `count` and size-cache call would stay a call; in parts of
    /// bounded weight they are inlined as in a small message. The parts run in field order,
    /// so sizes are still recorded and read back in the same pre-order.
    var codecParts: [[FieldDecl]] {
        let fields = fieldsByNumber
        func weight(_ f: FieldDecl) -> Int {
            if f.mapEntry != nil { return 4 }
            if f.label == .repeated { return 3 }
            return isMessage(f) ? 2 : 1
        }
        guard fields.reduce(0, { $0 + weight($1) }) > CodecEmitter.partWeightLimit else { return [fields] }
        var parts: [[FieldDecl]] = [[]]
        var load = 0
        for f in fields {
            if load + weight(f) > CodecEmitter.partWeightLimit && !parts[parts.count - 1].isEmpty {
                parts.append([])
                load = 0
            }
            parts[parts.count - 1].append(f)
            load += weight(f)
        }
        return parts
    }

    /// The most field weight (1 a singular scalar, 2 a message, 3 a repeated field, 4 a map)
    /// one generated size or write function covers.
    static let partWeightLimit = 48

    // MARK: Field groups

    /// How the encoding passes read a field: grouped fields through the group's storage,
    /// bound by `emitGrouped` (an unwritten group is skipped whole), others on `self`.
    func readProp(_ f: FieldDecl) -> String {
        guard let g = types.fieldGroups(message)[ObjectIdentifier(f)] else { return prop(f) }
        return "g\(g)." + SwiftNaming.escaped(types.fieldName(f))
    }

    /// Emits `fields` in order; each run of fields of one group goes inside
    /// `if let gN = self._fieldGroupN.storage { ... }`, so a group never written costs one test.
    func emitGrouped(_ fields: [FieldDecl], into w: inout CodeWriter,
                     _ emitField: (FieldDecl, inout CodeWriter) -> Void) {
        let groups = types.fieldGroups(message)
        var i = 0
        while i < fields.count {
            guard let g = groups[ObjectIdentifier(fields[i])] else {
                emitField(fields[i], &w)
                i += 1
                continue
            }
            var j = i
            while j < fields.count, groups[ObjectIdentifier(fields[j])] == g { j += 1 }
            w.block("if let g\(g) = self.\(types.fieldGroupProperty(g)).storage") { w in
                for f in fields[i..<j] { emitField(f, &w) }
            }
            i = j
        }
    }

    // MARK: Size

    func emitSize(into w: inout CodeWriter) {
        let parts = codecParts
        w.block("public func computeEncodedSize(_ cache: inout SizeCache) -> Int") { w in
            if parts.count == 1 {
                w.line("var n = 0")
                emitGrouped(parts[0], into: &w) { f, w in emitSizeField(f, into: &w) }
                w.line("n += self.unknownFields.bytes.count")
            } else {
                w.line("var n = self.unknownFields.bytes.count")
                for i in parts.indices { w.line("n += self._sizePart\(i)(&cache)") }
            }
            w.line("return n")
        }
        guard parts.count > 1 else { return }
        for (i, part) in parts.enumerated() {
            w.line()
            w.line("@inline(never)")
            w.block("private func _sizePart\(i)(_ cache: inout SizeCache) -> Int") { w in
                w.line("var n = 0")
                emitGrouped(part, into: &w) { f, w in emitSizeField(f, into: &w) }
                w.line("return n")
            }
        }
    }

    func emitSizeField(_ f: FieldDecl, into w: inout CodeWriter) {
        let t = tagSize(tag(f))
        if let entry = f.mapEntry {
            let key = entry.mapKey!
            let value = entry.mapValue!
            let expr = "\(t) + ProtoSize.lengthDelimited(\(mapEntryPayloadSize(entry, k: "k", v: "v")))"
            if isMessage(value) {
                // Message values record sizes: iterate in the order the write pass will.
                emitMapLoop(f, entry: entry, pass: "cache", into: &w) { w in w.line("n += \(expr)") }
            } else {
                // Sums do not depend on order.
                let k = fixedWidth(key) != nil ? "_" : "k"
                let v = fixedWidth(value) != nil ? "_" : "v"
                w.line("for (\(k), \(v)) in \(readProp(f)) { n += \(expr) }")
            }
            return
        }
        if f.label == .repeated {
            if f.isPacked {
                let tp = tagSize(tag(f, wire: 2))
                if let width = fixedWidth(f) {
                    w.line("if !\(readProp(f)).isEmpty { n += \(tp) + ProtoSize.lengthDelimited(\(readProp(f)).count * \(width)) }")
                } else {
                    w.block("if !\(readProp(f)).isEmpty") { w in
                        w.line("let payload = \(packedPayloadSize(f))")
                        w.line("cache.record(payload)")
                        w.line("n += \(tp) + ProtoSize.lengthDelimited(payload)")
                    }
                }
            } else if let width = fixedWidth(f) {
                w.line("n += \(readProp(f)).count * \(t + width)")
            } else {
                w.line("for v in \(readProp(f)) { n += \(t) + \(size(f, "v")) }")
            }
            return
        }
        if let o = oneof(f) {
            let op = "self." + SwiftNaming.escaped(types.oneofProperty(o))
            let bind = fixedWidth(f) != nil ? "_" : "let v"
            w.line("if case .\(SwiftNaming.escaped(types.fieldName(f)))(\(bind))? = \(op) { n += \(t) + \(size(f, "v")) }")
            return
        }
        if isMessage(f) && types.needsBox(f, in: message) {
            w.line("if let v = self.\(types.boxStorage(f)) { n += \(t) + \(size(f, "v.value")) }")
        } else if types.hasPresence(f) {
            if fixedWidth(f) != nil {
                w.line("if \(readProp(f)) != nil { n += \(t) + \(size(f, "v")) }")
            } else {
                w.line("if let v = \(readProp(f)) { n += \(t) + \(size(f, "v")) }")
            }
        } else {
            w.line("if \(isSet(f, readProp(f))) { n += \(t) + \(size(f, readProp(f))) }")
        }
    }

    /// The size pass's expression for the payload of a packed varint run: a runtime loop,
    /// vectorisable for the 32-bit types.
    func packedPayloadSize(_ f: FieldDecl) -> String {
        if case .enumeration = f.type { return "ProtoSize.packedInt32(\(readProp(f))) { $0.rawValue }" }
        if case .scalar(let s) = f.type {
            switch s {
            case .int32: return "ProtoSize.packedInt32(\(readProp(f)))"
            case .uint32: return "ProtoSize.packedUInt32(\(readProp(f)))"
            case .sint32: return "ProtoSize.packedSInt32(\(readProp(f)))"
            default: break
            }
        }
        if let (_, transform) = packedWriter(f) {
            return "ProtoSize.packedVarints(\(readProp(f))) \(transform)"
        }
        return "\(readProp(f)).reduce(0) { $0 + \(size(f, "$1")) }"
    }

    /// Payload of one map entry: key and value are always written.
    func mapEntryPayloadSize(_ entry: MessageDecl, k: String, v: String) -> String {
        let key = entry.mapKey!
        let value = entry.mapValue!
        return "1 + \(size(key, k)) + 1 + \(size(value, v))"
    }

    /// Iterates a map in key order when deterministic, else in the dictionary's own order
    /// (stable between the size and write passes of one encode).
    /// `pass` is the variable holding the pass's state (`cache` or `writer`), both of which
    /// know whether the encoding is deterministic.
    func emitMapLoop(_ f: FieldDecl, entry: MessageDecl, pass: String, into w: inout CodeWriter,
                     body: (inout CodeWriter) -> Void) {
        let keys = sortedKeys(f, entry.mapKey!)
        w.block("if !\(readProp(f)).isEmpty") { w in
            w.block("if \(pass).deterministic") { w in
                w.block("for k in \(keys)") { w in
                    w.line("let v = \(readProp(f))[k]!")
                    body(&w)
                }
            }
            w.block("else") { w in
                w.block("for (k, v) in \(readProp(f))") { w in body(&w) }
            }
        }
    }

    /// The deterministic key order: false before true, numbers ascending, strings by UTF-8 bytes.
    func sortedKeys(_ f: FieldDecl, _ key: FieldDecl) -> String {
        switch key.type {
        case .scalar(.bool): return "\(readProp(f)).keys.sorted(by: { !$0 && $1 })"
        case .scalar(.string): return "ProtoMaps.sortedKeys(\(readProp(f)))"
        default: return "\(readProp(f)).keys.sorted()"
        }
    }

    // MARK: Encode

    func emitEncode(into w: inout CodeWriter) {
        let parts = codecParts
        w.block("public func encodeFields(to writer: inout ProtoWriter)") { w in
            if parts.count == 1 {
                emitGrouped(parts[0], into: &w) { f, w in emitEncodeField(f, into: &w) }
            } else {
                for i in parts.indices { w.line("self._encodePart\(i)(to: &writer)") }
            }
            w.line("writer.writeUnknown(self.unknownFields)")
        }
        guard parts.count > 1 else { return }
        for (i, part) in parts.enumerated() {
            w.line()
            w.line("@inline(never)")
            w.block("private func _encodePart\(i)(to writer: inout ProtoWriter)") { w in
                emitGrouped(part, into: &w) { f, w in emitEncodeField(f, into: &w) }
            }
        }
    }

    func emitEncodeField(_ f: FieldDecl, into w: inout CodeWriter) {
        let raw = tag(f)
        if let entry = f.mapEntry {
            emitMapEncode(f, entry: entry, into: &w)
            return
        }
        if f.label == .repeated {
            if f.isPacked {
                let packedTag = tag(f, wire: 2)
                w.block("if !\(readProp(f)).isEmpty") { w in
                    w.line("writer.writeTag(\(packedTag))")
                    if let (method, transform) = packedWriter(f) {
                        // One runtime loop over the array with a local cursor.
                        w.line("writer.\(method)(\(readProp(f))) \(transform)")
                    } else if let width = fixedWidth(f) {
                        w.line("writer.writeVarint(UInt64(\(readProp(f)).count * \(width)))")
                        w.line("for v in \(readProp(f)) { \(write(f, "v")) }")
                    } else {
                        w.line("writer.writeVarint(UInt64(writer.nextSize()))")
                        w.line("for v in \(readProp(f)) { \(write(f, "v")) }")
                    }
                }
            } else {
                w.line("for v in \(readProp(f)) { writer.writeTag(\(raw)); \(write(f, "v")) }")
            }
            return
        }
        if let o = oneof(f) {
            let op = "self." + SwiftNaming.escaped(types.oneofProperty(o))
            w.line("if case .\(SwiftNaming.escaped(types.fieldName(f)))(let v)? = \(op) { writer.writeTag(\(raw)); \(write(f, "v")) }")
            return
        }
        if isMessage(f) && types.needsBox(f, in: message) {
            w.line("if let v = self.\(types.boxStorage(f)) { writer.writeTag(\(raw)); \(write(f, "v.value")) }")
        } else if types.hasPresence(f) {
            w.line("if let v = \(readProp(f)) { writer.writeTag(\(raw)); \(write(f, "v")) }")
        } else {
            w.line("if \(isSet(f, readProp(f))) { writer.writeTag(\(raw)); \(write(f, readProp(f))) }")
        }
    }

    /// The runtime method and value transform that write a packed run of `f` in one loop;
    /// nil for `bool`, whose one-byte values the per-value path writes directly.
    func packedWriter(_ f: FieldDecl) -> (String, String)? {
        switch f.type {
        case .enumeration:
            return ("writePackedInt32Varints", "{ $0.rawValue }")
        case .scalar(let s):
            switch s {
            case .int32: return ("writePackedInt32Varints", "{ $0 }")
            case .int64: return ("writePackedVarints", "{ UInt64(bitPattern: $0) }")
            case .uint32: return ("writePackedUInt32Varints", "{ $0 }")
            case .uint64: return ("writePackedVarints", "{ $0 }")
            case .sint32: return ("writePackedUInt32Varints", "{ ZigZag.encode32($0) }")
            case .sint64: return ("writePackedVarints", "{ ZigZag.encode64($0) }")
            case .fixed32: return ("writePackedFixed32", "{ $0 }")
            case .sfixed32: return ("writePackedFixed32", "{ UInt32(bitPattern: $0) }")
            case .float: return ("writePackedFixed32", "{ $0.bitPattern }")
            case .fixed64: return ("writePackedFixed64", "{ $0 }")
            case .sfixed64: return ("writePackedFixed64", "{ UInt64(bitPattern: $0) }")
            case .double: return ("writePackedFixed64", "{ $0.bitPattern }")
            case .bool, .string, .bytes: return nil
            }
        default:
            return nil
        }
    }

    func emitMapEncode(_ f: FieldDecl, entry: MessageDecl, into w: inout CodeWriter) {
        let key = entry.mapKey!
        let value = entry.mapValue!
        let raw = tag(f)
        func body(_ w: inout CodeWriter) {
            w.line("writer.writeTag(\(raw))")
            if isMessage(value) {
                w.line("let valueSize = writer.nextSize()")
                w.line("writer.writeVarint(UInt64(1 + \(size(key, "k")) + 1 + ProtoSize.lengthDelimited(valueSize)))")
                w.line("writer.writeTag(\(tag(key))); \(write(key, "k"))")
                w.line("writer.writeTag(\(tag(value))); writer.writeVarint(UInt64(valueSize)); v.encodeFields(to: &writer)")
            } else {
                w.line("writer.writeVarint(UInt64(\(mapEntryPayloadSize(entry, k: "k", v: "v"))))")
                w.line("writer.writeTag(\(tag(key))); \(write(key, "k"))")
                w.line("writer.writeTag(\(tag(value))); \(write(value, "v"))")
            }
        }
        emitMapLoop(f, entry: entry, pass: "writer", into: &w, body: body)
    }
}
