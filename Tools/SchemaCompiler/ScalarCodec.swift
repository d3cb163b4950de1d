import Foundation

/// How each scalar type is declared, read, sized and written in generated Swift.
struct ScalarCodec {
    let swiftType: String
    let defaultValue: String
    /// Wire type of a single value.
    let wireType: Int
    /// Reader method, called as `reader.<read>()`.
    let read: String
    /// Writer method, called as `writer.<write>(value)`.
    let write: String
    /// Size of one value: a fixed number, or an expression template with `$0`.
    let fixedSize: Int?
    let sizeExpr: String
    /// For packed decoding: `readPackedVarints` (64-bit raw value), `readPackedVarints32` (its
    /// low 32 bits, for the 32-bit types), `readPackedFixed32`/`readPackedFixed64`, and the
    /// transform from the raw value.
    let packedReader: String?
    let packedTransform: String
    /// The proto3 default check: an expression template with `$0` that is true when the value
    /// must be written.
    let isSet: String

    static func of(_ s: ScalarType) -> ScalarCodec {
        switch s {
        case .double:
            return .init(swiftType: "Double", defaultValue: "0", wireType: 1, read: "readDouble", write: "writeDouble",
                         fixedSize: 8, sizeExpr: "8", packedReader: "readPackedFixed64",
                         packedTransform: "{ Double(bitPattern: $0) }", isSet: "$0.bitPattern != 0")
        case .float:
            return .init(swiftType: "Float", defaultValue: "0", wireType: 5, read: "readFloat", write: "writeFloat",
                         fixedSize: 4, sizeExpr: "4", packedReader: "readPackedFixed32",
                         packedTransform: "{ Float(bitPattern: $0) }", isSet: "$0.bitPattern != 0")
        case .int64:
            return .init(swiftType: "Int64", defaultValue: "0", wireType: 0, read: "readInt64", write: "writeInt64",
                         fixedSize: nil, sizeExpr: "ProtoSize.int64($0)", packedReader: "readPackedVarints",
                         packedTransform: "{ Int64(bitPattern: $0) }", isSet: "$0 != 0")
        case .uint64:
            return .init(swiftType: "UInt64", defaultValue: "0", wireType: 0, read: "readUInt64", write: "writeUInt64",
                         fixedSize: nil, sizeExpr: "ProtoSize.varint($0)", packedReader: "readPackedVarints",
                         packedTransform: "{ $0 }", isSet: "$0 != 0")
        case .int32:
            return .init(swiftType: "Int32", defaultValue: "0", wireType: 0, read: "readInt32", write: "writeInt32",
                         fixedSize: nil, sizeExpr: "ProtoSize.int32($0)", packedReader: "readPackedVarints32",
                         packedTransform: "{ Int32(bitPattern: $0) }", isSet: "$0 != 0")
        case .fixed64:
            return .init(swiftType: "UInt64", defaultValue: "0", wireType: 1, read: "readFixed64", write: "writeFixed64",
                         fixedSize: 8, sizeExpr: "8", packedReader: "readPackedFixed64",
                         packedTransform: "{ $0 }", isSet: "$0 != 0")
        case .fixed32:
            return .init(swiftType: "UInt32", defaultValue: "0", wireType: 5, read: "readFixed32", write: "writeFixed32",
                         fixedSize: 4, sizeExpr: "4", packedReader: "readPackedFixed32",
                         packedTransform: "{ $0 }", isSet: "$0 != 0")
        case .bool:
            return .init(swiftType: "Bool", defaultValue: "false", wireType: 0, read: "readBool", write: "writeBool",
                         fixedSize: 1, sizeExpr: "1", packedReader: "readPackedVarints",
                         packedTransform: "{ $0 != 0 }", isSet: "$0")
        case .string:
            return .init(swiftType: "String", defaultValue: "\"\"", wireType: 2, read: "readString", write: "writeString",
                         fixedSize: nil, sizeExpr: "ProtoSize.string($0)", packedReader: nil,
                         packedTransform: "", isSet: "!$0.isEmpty")
        case .bytes:
            return .init(swiftType: "[UInt8]", defaultValue: "[]", wireType: 2, read: "readBytes", write: "writeBytes",
                         fixedSize: nil, sizeExpr: "ProtoSize.bytes($0)", packedReader: nil,
                         packedTransform: "", isSet: "!$0.isEmpty")
        case .uint32:
            return .init(swiftType: "UInt32", defaultValue: "0", wireType: 0, read: "readUInt32", write: "writeUInt32",
                         fixedSize: nil, sizeExpr: "ProtoSize.varint($0)", packedReader: "readPackedVarints32",
                         packedTransform: "{ $0 }", isSet: "$0 != 0")
        case .sfixed32:
            return .init(swiftType: "Int32", defaultValue: "0", wireType: 5, read: "readSFixed32", write: "writeSFixed32",
                         fixedSize: 4, sizeExpr: "4", packedReader: "readPackedFixed32",
                         packedTransform: "{ Int32(bitPattern: $0) }", isSet: "$0 != 0")
        case .sfixed64:
            return .init(swiftType: "Int64", defaultValue: "0", wireType: 1, read: "readSFixed64", write: "writeSFixed64",
                         fixedSize: 8, sizeExpr: "8", packedReader: "readPackedFixed64",
                         packedTransform: "{ Int64(bitPattern: $0) }", isSet: "$0 != 0")
        case .sint32:
            return .init(swiftType: "Int32", defaultValue: "0", wireType: 0, read: "readSInt32", write: "writeSInt32",
                         fixedSize: nil, sizeExpr: "ProtoSize.sint32($0)", packedReader: "readPackedVarints32",
                         packedTransform: "{ ZigZag.decode32($0) }", isSet: "$0 != 0")
        case .sint64:
            return .init(swiftType: "Int64", defaultValue: "0", wireType: 0, read: "readSInt64", write: "writeSInt64",
                         fixedSize: nil, sizeExpr: "ProtoSize.sint64($0)", packedReader: "readPackedVarints",
                         packedTransform: "{ ZigZag.decode64($0) }", isSet: "$0 != 0")
        }
    }
}

extension String {
    /// Substitutes `$0` in a template.
    func applied(to value: String) -> String { replacingOccurrences(of: "$0", with: value) }
}
