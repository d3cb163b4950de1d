/// Options for reading proto3 JSON (`init(jsonUTF8Bytes:options:)`).
public struct ProtoJSONDecodingOptions: Sendable {
    /// Skip object members that name no field of the message (and enum names the schema does
    /// not know, which then leave the field unset) instead of failing.
    public var ignoreUnknownFields = false

    public init() {}
}

/// Options for writing proto3 JSON (`jsonUTF8Bytes(options:)`, `jsonString(options:)`).
public struct ProtoJSONEncodingOptions: Sendable {
    /// Also write fields without presence (singular scalars and enums, repeated fields, maps)
    /// when they hold their default value.
    public var alwaysPrintPrimitiveFields = false
    /// Name fields as in the schema (`category_code`) instead of their JSON name
    /// (`categoryCode`).
    public var useProtoFieldNames = false

    public init() {}
}

/// Why a JSON text is not a valid proto3 JSON encoding of the expected message, or why a
/// message has no JSON encoding (a timestamp out of range, a field mask path that does not
/// round-trip).
///
/// `description` names the field: `field "location.latitude": expected a number, got a
/// string`. Syntax errors name the byte offset instead.
public struct ProtoJSONError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The path of the failing field from the outermost message, with JSON names, array
    /// indices and map keys: `items[2].labels["k"]`. Empty for errors outside any field.
    public private(set) var fieldPath: String
    /// What went wrong, without the path.
    public let message: String

    public init(_ message: String, fieldPath: String = "") {
        self.message = message
        self.fieldPath = fieldPath
    }

    public var description: String {
        fieldPath.isEmpty ? message : "field \"\(fieldPath)\": \(message)"
    }

    /// The error as seen from the enclosing message, whose field `name` held the failure.
    func inField(_ name: String) -> ProtoJSONError {
        var copy = self
        if fieldPath.isEmpty {
            copy.fieldPath = name
        } else if fieldPath.hasPrefix("[") {
            copy.fieldPath = name + fieldPath
        } else {
            copy.fieldPath = name + "." + fieldPath
        }
        return copy
    }

    /// The error as seen from the array or map that held the failing element.
    func inElement(_ subscriptText: String) -> ProtoJSONError {
        var copy = self
        if fieldPath.isEmpty || fieldPath.hasPrefix("[") {
            copy.fieldPath = "[" + subscriptText + "]" + fieldPath
        } else {
            copy.fieldPath = "[" + subscriptText + "]." + fieldPath
        }
        return copy
    }

    static func syntax(_ what: String, at offset: Int) -> ProtoJSONError {
        ProtoJSONError("invalid JSON at byte \(offset): \(what)")
    }
}
