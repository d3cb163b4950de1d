/// `google.protobuf.Any` in JSON: `{"@type": "type.googleapis.com/pkg.Msg", ...fields}`, or
/// `{"@type": ..., "value": <special form>}` when the packed type is a well-known type with a
/// special form. The packed type must be known to the module's registry; `@type` may come
/// anywhere in the object, so reading looks for it first and then reads the object again.
enum ProtoJSONAny {
    static func registry<M: ProtoMessage>(_ any: M.Type) -> MessageRegistry? {
        (M.self as? any ProtoJSONAnyTypeRegistry.Type)?.protoJSONTypeRegistry
    }

    static func resolve(_ url: String, _ registry: MessageRegistry?) throws(ProtoJSONError) -> any ProtoMessage.Type {
        // Like Python's json_format, a bare type name is accepted too.
        guard !url.isEmpty, url.last != "/" else { throw ProtoJSONError("invalid type URL \"\(url)\"") }
        guard let type = registry?.type(forTypeURL: url) else {
            throw ProtoJSONError("unknown type \"\(url)\" in Any")
        }
        return type
    }

    static func write(url: String, value: [UInt8], registry: MessageRegistry?, to w: inout ProtoJSONWriter) {
        if url.isEmpty && value.isEmpty {
            w.beginObject()
            w.endObject()
            return
        }
        let type: any ProtoMessage.Type
        do {
            type = try resolve(url, registry)
        } catch {
            w.fail(error)
            w.beginObject()
            w.key("@type")
            w.string(url)
            w.endObject()
            return
        }
        writePacked(type, url: url, value: value, to: &w)
    }

    static func writePacked<T: ProtoMessage>(_: T.Type, url: String, value: [UInt8], to w: inout ProtoJSONWriter) {
        let message: T
        do {
            message = try T(serializedBytes: value)
        } catch {
            w.fail(ProtoJSONError("Any holds an undecodable \(T.protoMessageName): \(error)"))
            message = T()
        }
        w.beginObject()
        w.key("@type")
        w.string(url)
        if T.protoJSONTable.isWellKnownForm {
            w.key("value")
            message.writeJSON(to: &w)
        } else {
            message.writeJSONFields(to: &w)
        }
        w.endObject()
    }

    static func read(from s: inout ProtoJSONScanner, registry: MessageRegistry?) throws(ProtoJSONError) -> (String, [UInt8]) {
        let start = s.position
        try s.beginObject()
        var url: String?
        var members = 0
        // Stop at `@type`: the second pass checks the rest (and a repeated `@type`). Nested
        // `Any`s with `@type` last still cost one extra pass per level (depth ≤ 100).
        while url == nil, let key = try s.nextKey() {
            members += 1
            if key == "@type" {
                do throws(ProtoJSONError) {
                    url = try s.readString()
                } catch {
                    throw error.inField("@type")
                }
            } else {
                try s.skipValue()
            }
        }
        guard let url else {
            if members == 0 { return ("", []) }
            throw ProtoJSONError("Any without \"@type\"")
        }
        let type = try resolve(url, registry)
        s.rewind(to: start)
        return (url, try readPacked(type, from: &s))
    }

    static func readPacked<T: ProtoMessage>(_: T.Type, from s: inout ProtoJSONScanner) throws(ProtoJSONError) -> [UInt8] {
        var message = T()
        if T.protoJSONTable.isWellKnownForm {
            var sawType = false
            var sawValue = false
            try s.beginObject()
            while let key = try s.nextKey() {
                switch key {
                case "@type":
                    guard !sawType else { throw ProtoJSONError("\"@type\" given more than once") }
                    sawType = true
                    try s.skipValue()
                case "value":
                    guard !sawValue else { throw ProtoJSONError("\"value\" given more than once") }
                    sawValue = true
                    do throws(ProtoJSONError) {
                        message = try T(jsonScanner: &s)
                    } catch {
                        throw error.inField("value")
                    }
                default:
                    if s.options.ignoreUnknownFields {
                        try s.skipValue()
                    } else {
                        throw ProtoJSONError("unknown field \"\(key)\" in Any holding \(T.protoMessageName)")
                    }
                }
            }
        } else {
            try message.readJSONObject(from: &s, skippingTypeKey: true)
        }
        // Deterministic, so one JSON text always packs to the same bytes: map entries (a
        // Struct's fields) would otherwise follow each dictionary's own iteration order, and
        // the outer message's deterministic encoding cannot reorder bytes inside an Any.
        return message.serializedBytes(deterministic: true)
    }
}
