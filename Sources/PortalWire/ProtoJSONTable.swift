/// The JSON shape of one message type: its fields (names, accessors, codecs) and, for the
/// well-known types with a special JSON form, that form. Generated code builds one per
/// message, statement by statement (cheap to type-check):
///
///     public static let protoJSONTable: ProtoJSONTable<Self> = {
///         var t = ProtoJSONTable<Self>()
///         t.singular(1, "category_code", "categoryCode", \.categoryCode, ProtoJSONString.self)
///         ...
///         return t
///     }()
public struct ProtoJSONTable<M: ProtoMessage>: Sendable {
    public typealias Path<V> = any WritableKeyPath<M, V> & Sendable

    struct Field: Sendable {
        let protoName: String
        let jsonName: String
        let number: Int
        /// Index of the (real) oneof, or -1.
        let oneof: Int
        /// Writes `key` (unless nil) and the value when the field is present, or when it has
        /// no presence and either `key` is nil or `alwaysPrintPrimitiveFields` is set.
        let write: @Sendable (M, inout ProtoJSONWriter, String?) -> Bool
        /// Reads the value; false when it was `null` (or an unknown enum name skipped).
        let read: @Sendable (inout M, inout ProtoJSONScanner) throws(ProtoJSONError) -> Bool
    }

    struct Form: Sendable {
        let write: @Sendable (M, inout ProtoJSONWriter) -> Void
        let read: @Sendable (inout M, inout ProtoJSONScanner) throws(ProtoJSONError) -> Void
    }

    var fields: [Field] = []
    var names: [String: Int] = [:]
    /// A well-known type's own JSON form, replacing the object of fields.
    var form: Form?
    /// The form is `google.protobuf.Value`'s (JSON `null` is a value).
    var nullIsValue = false
    /// A well-known type with a special form: inside `Any` it goes under `"value"`.
    var isWellKnownForm: Bool { form != nil }

    public init() {}

    mutating func add(_ field: Field) {
        names[field.jsonName] = fields.count
        names[field.protoName] = fields.count
        fields.append(field)
    }

    // MARK: Field kinds

    /// A singular field without presence (proto3 scalars and enums).
    public mutating func singular<C: ProtoJSONCodec>(_ number: Int, _ proto: String, _ json: String, _ path: Path<C.Value>, _: C.Type) {
        add(Field(protoName: proto, jsonName: json, number: number, oneof: -1, write: { m, w, key in
            let v = m[keyPath: path]
            guard key == nil || w.options.alwaysPrintPrimitiveFields || !C.isDefault(v) else { return false }
            if let key { w.key(key) }
            C.write(v, to: &w)
            return true
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) -> Bool in
            if !C.nullIsValue, try s.consumeNull() { return false }
            guard let v = try C.read(from: &s) else { return false }
            m[keyPath: path] = v
            return true
        }))
    }

    /// A field with explicit presence: proto3 `optional`, or a singular message.
    public mutating func optional<C: ProtoJSONCodec>(_ number: Int, _ proto: String, _ json: String, _ path: Path<C.Value?>, _: C.Type) {
        add(Field(protoName: proto, jsonName: json, number: number, oneof: -1, write: { m, w, key in
            guard let v = m[keyPath: path] else { return false }
            if let key { w.key(key) }
            C.write(v, to: &w)
            return true
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) -> Bool in
            if !C.nullIsValue, try s.consumeNull() { return false }
            guard let v = try C.read(from: &s) else { return false }
            m[keyPath: path] = v
            return true
        }))
    }

    /// A member of a real oneof (`oneof` is its index among the message's oneofs).
    public mutating func oneof<C: ProtoJSONCodec>(
        _ number: Int, _ proto: String, _ json: String, _ oneof: Int, _: C.Type,
        get: @escaping @Sendable (M) -> C.Value?, set: @escaping @Sendable (inout M, C.Value) -> Void
    ) {
        add(Field(protoName: proto, jsonName: json, number: number, oneof: oneof, write: { m, w, key in
            guard let v = get(m) else { return false }
            if let key { w.key(key) }
            C.write(v, to: &w)
            return true
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) -> Bool in
            if !C.nullIsValue, try s.consumeNull() { return false }
            guard let v = try C.read(from: &s) else { return false }
            set(&m, v)
            return true
        }))
    }

    public mutating func repeated<C: ProtoJSONCodec>(_ number: Int, _ proto: String, _ json: String, _ path: Path<[C.Value]>, _: C.Type) {
        add(Field(protoName: proto, jsonName: json, number: number, oneof: -1, write: { m, w, key in
            let values = m[keyPath: path]
            guard key == nil || w.options.alwaysPrintPrimitiveFields || !values.isEmpty else { return false }
            if let key { w.key(key) }
            w.beginArray()
            for v in values {
                w.beginElement()
                C.write(v, to: &w)
            }
            w.endArray()
            return true
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) -> Bool in
            if try s.consumeNull() { return false }
            try s.beginArray()
            var values: [C.Value] = []
            var index = 0
            while try s.nextElement() {
                do throws(ProtoJSONError) {
                    if !C.nullIsValue, try s.peek() == .null { throw ProtoJSONError("null is not allowed in a repeated field") }
                    if let v = try C.read(from: &s) { values.append(v) }
                } catch {
                    throw error.inElement(String(index))
                }
                index += 1
            }
            m[keyPath: path] = values
            return true
        }))
    }

    public mutating func map<K: ProtoJSONMapKeyCodec, V: ProtoJSONCodec>(
        _ number: Int, _ proto: String, _ json: String, _ path: Path<[K.Value: V.Value]>, _: K.Type, _: V.Type
    ) {
        add(Field(protoName: proto, jsonName: json, number: number, oneof: -1, write: { m, w, key in
            let entries = m[keyPath: path]
            guard key == nil || w.options.alwaysPrintPrimitiveFields || !entries.isEmpty else { return false }
            if let key { w.key(key) }
            w.beginObject()
            // Key order, so equal maps always give the same text.
            for (k, v) in entries.map({ (K.keyText($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
                w.key(k)
                V.write(v, to: &w)
            }
            w.endObject()
            return true
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) -> Bool in
            if try s.consumeNull() { return false }
            try s.beginObject()
            var entries: [K.Value: V.Value] = [:]
            while let text = try s.nextKey() {
                do throws(ProtoJSONError) {
                    let k = try K.parseKey(text)
                    if entries[k] != nil { throw ProtoJSONError("duplicate map key") }
                    if !V.nullIsValue, try s.peek() == .null { throw ProtoJSONError("null is not allowed as a map value") }
                    if let v = try V.read(from: &s) { entries[k] = v }
                } catch {
                    throw error.inElement("\"" + text + "\"")
                }
            }
            m[keyPath: path] = entries
            return true
        }))
    }
}
