/// How one value of a field type is written and read in proto3 JSON. Generated field tables
/// name a codec per field (`ProtoJSONInt64.self`, `ProtoJSONEnum<Portal_V1_Status>.self`);
/// the table supplies presence, repetition and maps around it.
public protocol ProtoJSONCodec: SendableMetatype {
    associatedtype Value: Sendable
    static func write(_ value: Value, to writer: inout ProtoJSONWriter)
    /// nil: an enum name the schema does not know, skipped under `ignoreUnknownFields`.
    static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Value?
    /// The proto3 default, omitted from output unless `alwaysPrintPrimitiveFields`.
    static func isDefault(_ value: Value) -> Bool
    /// JSON `null` is a value of this type (`google.protobuf.Value`, `NullValue`) rather
    /// than "the field is not set".
    static var nullIsValue: Bool { get }
}

/// A codec whose values can key a map: JSON object keys are strings, so keys are written as
/// their decimal (or `true`/`false`) text.
public protocol ProtoJSONMapKeyCodec: ProtoJSONCodec where Value: Hashable {
    static func keyText(_ value: Value) -> String
    static func parseKey(_ text: String) throws(ProtoJSONError) -> Value
}

extension ProtoJSONCodec {
    public static var nullIsValue: Bool { false }
}

public enum ProtoJSONInt32: ProtoJSONMapKeyCodec {
    public static func write(_ value: Int32, to writer: inout ProtoJSONWriter) { writer.raw(String(value)) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Int32? {
        Int32(try ProtoJSONNumbers.signed(ProtoJSONNumbers.integerText(&scanner), min: Int64(Int32.min), max: Int64(Int32.max)))
    }
    public static func isDefault(_ value: Int32) -> Bool { value == 0 }
    public static func keyText(_ value: Int32) -> String { String(value) }
    public static func parseKey(_ text: String) throws(ProtoJSONError) -> Int32 {
        Int32(try ProtoJSONNumbers.signed(text, min: Int64(Int32.min), max: Int64(Int32.max)))
    }
}

public enum ProtoJSONUInt32: ProtoJSONMapKeyCodec {
    public static func write(_ value: UInt32, to writer: inout ProtoJSONWriter) { writer.raw(String(value)) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> UInt32? {
        UInt32(try ProtoJSONNumbers.unsigned(ProtoJSONNumbers.integerText(&scanner), max: UInt64(UInt32.max)))
    }
    public static func isDefault(_ value: UInt32) -> Bool { value == 0 }
    public static func keyText(_ value: UInt32) -> String { String(value) }
    public static func parseKey(_ text: String) throws(ProtoJSONError) -> UInt32 {
        UInt32(try ProtoJSONNumbers.unsigned(text, max: UInt64(UInt32.max)))
    }
}

/// 64-bit integers are written as strings (JavaScript numbers hold 53 bits).
public enum ProtoJSONInt64: ProtoJSONMapKeyCodec {
    public static func write(_ value: Int64, to writer: inout ProtoJSONWriter) { writer.string(String(value)) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Int64? {
        try ProtoJSONNumbers.signed(ProtoJSONNumbers.integerText(&scanner), min: .min, max: .max)
    }
    public static func isDefault(_ value: Int64) -> Bool { value == 0 }
    public static func keyText(_ value: Int64) -> String { String(value) }
    public static func parseKey(_ text: String) throws(ProtoJSONError) -> Int64 {
        try ProtoJSONNumbers.signed(text, min: .min, max: .max)
    }
}

public enum ProtoJSONUInt64: ProtoJSONMapKeyCodec {
    public static func write(_ value: UInt64, to writer: inout ProtoJSONWriter) { writer.string(String(value)) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> UInt64? {
        try ProtoJSONNumbers.unsigned(ProtoJSONNumbers.integerText(&scanner), max: .max)
    }
    public static func isDefault(_ value: UInt64) -> Bool { value == 0 }
    public static func keyText(_ value: UInt64) -> String { String(value) }
    public static func parseKey(_ text: String) throws(ProtoJSONError) -> UInt64 {
        try ProtoJSONNumbers.unsigned(text, max: .max)
    }
}

public enum ProtoJSONFloat: ProtoJSONCodec {
    public static func write(_ value: Float, to writer: inout ProtoJSONWriter) { writer.float(value) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Float? {
        try ProtoJSONNumbers.float(&scanner)
    }
    public static func isDefault(_ value: Float) -> Bool { value.bitPattern == 0 }
}

public enum ProtoJSONDouble: ProtoJSONCodec {
    public static func write(_ value: Double, to writer: inout ProtoJSONWriter) { writer.double(value) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Double? {
        try ProtoJSONNumbers.double(&scanner)
    }
    public static func isDefault(_ value: Double) -> Bool { value.bitPattern == 0 }
}

/// `google.protobuf.Value.number_value`: NaN and the infinities have no JSON form there (the
/// strings would read back as `string_value`), so writing one records a failure.
public enum ProtoJSONValueNumber: ProtoJSONCodec {
    public static func write(_ value: Double, to writer: inout ProtoJSONWriter) {
        if !value.isFinite { writer.fail(ProtoJSONError("google.protobuf.Value cannot hold \(value) in JSON")) }
        writer.double(value)
    }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Double? {
        try ProtoJSONNumbers.double(&scanner)
    }
    public static func isDefault(_ value: Double) -> Bool { value.bitPattern == 0 }
}

public enum ProtoJSONBool: ProtoJSONMapKeyCodec {
    public static func write(_ value: Bool, to writer: inout ProtoJSONWriter) { writer.bool(value) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> Bool? {
        try scanner.readBool()
    }
    public static func isDefault(_ value: Bool) -> Bool { !value }
    public static func keyText(_ value: Bool) -> String { value ? "true" : "false" }
    public static func parseKey(_ text: String) throws(ProtoJSONError) -> Bool {
        switch text {
        case "true": return true
        case "false": return false
        default: throw ProtoJSONError("invalid boolean map key \"\(text)\"")
        }
    }
}

public enum ProtoJSONString: ProtoJSONMapKeyCodec {
    public static func write(_ value: String, to writer: inout ProtoJSONWriter) { writer.string(value) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> String? {
        try scanner.readString()
    }
    public static func isDefault(_ value: String) -> Bool { value.isEmpty }
    public static func keyText(_ value: String) -> String { value }
    public static func parseKey(_ text: String) throws(ProtoJSONError) -> String { text }
}

/// Bytes as standard base64 with padding; URL-safe and unpadded input is accepted too.
public enum ProtoJSONBytes: ProtoJSONCodec {
    public static func write(_ value: [UInt8], to writer: inout ProtoJSONWriter) { writer.base64(value) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> [UInt8]? {
        let text = try scanner.readString()
        guard let bytes = ProtoJSONWriter.decodeBase64(text) else { throw ProtoJSONError("invalid base64") }
        return bytes
    }
    public static func isDefault(_ value: [UInt8]) -> Bool { value.isEmpty }
}

/// Enums by value name; numbers are accepted on input and written for unknown values.
public enum ProtoJSONEnum<E: ProtoEnum>: ProtoJSONCodec {
    public static func write(_ value: E, to writer: inout ProtoJSONWriter) {
        if let name = value.protoName { writer.string(name) } else { writer.raw(String(value.rawValue)) }
    }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> E? {
        switch try scanner.peek() {
        case .string:
            let name = try scanner.readString()
            if let value = E(protoName: name) { return value }
            if scanner.options.ignoreUnknownFields { return nil }
            throw ProtoJSONError("unknown enum value \"\(name)\"")
        case .number:
            let n = try ProtoJSONNumbers.signed(scanner.readNumberText(), min: Int64(Int32.min), max: Int64(Int32.max))
            return E(rawValue: Int32(n))
        case let other:
            throw ProtoJSONError("expected an enum name or number, got \(other.name)")
        }
    }
    public static func isDefault(_ value: E) -> Bool { value.rawValue == 0 }
}

/// `google.protobuf.NullValue`: always JSON `null`. Its one value is `NULL_VALUE` (0). Another
/// number (possible in binary, an open enum) is written as `null` too, like the C++ and Python
/// runtimes do, but refused on input, where it could only come back as 0.
public enum ProtoJSONNullValue<E: ProtoEnum>: ProtoJSONCodec {
    public static func write(_ value: E, to writer: inout ProtoJSONWriter) { writer.null() }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> E? {
        if try scanner.consumeNull() { return E() }
        guard let value = try ProtoJSONEnum<E>.read(from: &scanner) else { return nil }
        guard value.rawValue == 0 else { throw ProtoJSONError("a google.protobuf.NullValue can only be null or NULL_VALUE, got \(value.rawValue)") }
        return value
    }
    public static func isDefault(_ value: E) -> Bool { value.rawValue == 0 }
    public static var nullIsValue: Bool { true }
}

public enum ProtoJSONMessage<M: ProtoMessage>: ProtoJSONCodec {
    public static func write(_ value: M, to writer: inout ProtoJSONWriter) { value.writeJSON(to: &writer) }
    public static func read(from scanner: inout ProtoJSONScanner) throws(ProtoJSONError) -> M? {
        try M(jsonScanner: &scanner)
    }
    public static func isDefault(_ value: M) -> Bool { false }
    public static var nullIsValue: Bool { M.protoJSONTable.nullIsValue }
}

extension ProtoEnum {
    /// The value a schema name denotes (aliases included), or nil.
    public init?(protoName: String) {
        guard let value = Self.allCases.first(where: { $0.protoName == protoName }) else { return nil }
        self = value
    }
}
