/// The proto3 canonical JSON mapping (https://protobuf.dev/programming-guides/json/) for
/// every generated message, driven by its `protoJSONTable`. The binary codec is untouched.
extension ProtoMessage {
    /// Decodes a message from proto3 JSON. Fails on malformed JSON, on members that name no
    /// field (unless `ignoreUnknownFields`), on a field given twice (by either of its names),
    /// on two members of one oneof, and on values of the wrong type or out of range.
    public init(jsonUTF8Bytes: [UInt8], options: ProtoJSONDecodingOptions = .init()) throws(ProtoJSONError) {
        var scanner = try ProtoJSONScanner(jsonUTF8Bytes, options: options)
        try self.init(jsonScanner: &scanner)
        try scanner.finish()
    }

    /// Encodes the message as compact proto3 JSON. A message without a JSON form (a
    /// `Timestamp` outside years 1–9999, a `FieldMask` path that does not round-trip) is
    /// written as well as it can be; `checkedJSONUTF8Bytes` reports those instead.
    public func jsonUTF8Bytes(options: ProtoJSONEncodingOptions = .init()) -> [UInt8] {
        var writer = ProtoJSONWriter(options: options)
        writeJSON(to: &writer)
        return writer.bytes
    }

    public func jsonString(options: ProtoJSONEncodingOptions = .init()) -> String {
        String(decoding: jsonUTF8Bytes(options: options), as: UTF8.self)
    }

    /// Like `jsonUTF8Bytes`, but fails when some value has no valid JSON form.
    public func checkedJSONUTF8Bytes(options: ProtoJSONEncodingOptions = .init()) throws(ProtoJSONError) -> [UInt8] {
        var writer = ProtoJSONWriter(options: options)
        writeJSON(to: &writer)
        if let failure = writer.failure { throw failure }
        return writer.bytes
    }

    // MARK: Building blocks (used by codecs, `Any` and the well-known types)

    /// Reads one JSON value as this message: its special form, or an object of fields.
    public init(jsonScanner scanner: inout ProtoJSONScanner) throws(ProtoJSONError) {
        self.init()
        let table = Self.protoJSONTable
        if let form = table.form {
            try form.read(&self, &scanner)
        } else {
            try readJSONObject(from: &scanner, skippingTypeKey: false)
        }
    }

    /// Writes this message as one JSON value.
    public func writeJSON(to writer: inout ProtoJSONWriter) {
        let table = Self.protoJSONTable
        if let form = table.form {
            form.write(self, &writer)
        } else {
            writer.beginObject()
            writeJSONFields(to: &writer)
            writer.endObject()
        }
    }

    /// Writes the fields as members of an object the caller has opened.
    func writeJSONFields(to writer: inout ProtoJSONWriter) {
        let protoNames = writer.options.useProtoFieldNames
        for field in Self.protoJSONTable.fields {
            _ = field.write(self, &writer, protoNames ? field.protoName : field.jsonName)
        }
    }

    /// Reads an object of fields; with `skippingTypeKey`, an `"@type"` member is passed over
    /// (the fields of a message packed in `Any`).
    mutating func readJSONObject(from scanner: inout ProtoJSONScanner, skippingTypeKey: Bool) throws(ProtoJSONError) {
        let table = Self.protoJSONTable
        try scanner.beginObject()
        var seen: [Bool] = []
        var oneofsSet: Set<Int> = []
        var sawTypeKey = false
        while let key = try scanner.nextKey() {
            guard let index = table.names[key] else {
                if skippingTypeKey && key == "@type" {
                    guard !sawTypeKey else { throw ProtoJSONError("\"@type\" given more than once") }
                    sawTypeKey = true
                    try scanner.skipValue()
                    continue
                }
                if scanner.options.ignoreUnknownFields {
                    try scanner.skipValue()
                    continue
                }
                throw ProtoJSONError("unknown field \"\(key)\" in \(Self.protoMessageName)")
            }
            let field = table.fields[index]
            if seen.isEmpty { seen = [Bool](repeating: false, count: table.fields.count) }
            guard !seen[index] else {
                throw ProtoJSONError("field given more than once").inField(field.jsonName)
            }
            seen[index] = true
            let set: Bool
            do throws(ProtoJSONError) {
                set = try field.read(&self, &scanner)
            } catch {
                throw error.inField(field.jsonName)
            }
            if set && field.oneof >= 0 {
                guard oneofsSet.insert(field.oneof).inserted else {
                    throw ProtoJSONError("another member of the same oneof is already set").inField(field.jsonName)
                }
            }
        }
    }
}
