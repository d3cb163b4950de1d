/// Why a byte sequence is not a valid encoding of the expected message.
public enum ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input ended inside a field.
    case truncated
    /// A varint ran past ten bytes, or a field key past 32 bits.
    case malformedVarint
    /// A key carried wire type 6 or 7.
    case invalidWireType(UInt8)
    /// A key carried field number 0.
    case fieldNumberZero
    /// A `string` field held bytes that are not UTF-8. The payload is the field number.
    case invalidUTF8(fieldNumber: Int)
    /// An end-group key without its start group, or with a different field number.
    case mismatchedGroup
    /// A length prefix larger than what remains of the input, or than 2 GiB.
    case lengthOverflow
    /// Messages (or groups) nested deeper than `ProtoReader.maxDepth`.
    case nestingTooDeep
    /// A string-keyed map held two keys that differ in bytes but that Swift's `String`
    /// considers equal (canonical equivalence); decoding would lose one. The payload is the
    /// map field's number.
    case ambiguousMapKey(fieldNumber: Int)

    public var description: String {
        switch self {
        case .truncated: return "truncated input"
        case .malformedVarint: return "malformed varint"
        case .invalidWireType(let w): return "invalid wire type \(w)"
        case .fieldNumberZero: return "field number 0"
        case .invalidUTF8(let n): return "invalid UTF-8 in string field \(n)"
        case .mismatchedGroup: return "mismatched group"
        case .lengthOverflow: return "length prefix exceeds the input"
        case .nestingTooDeep: return "nesting deeper than \(ProtoReader.maxDepth)"
        case .ambiguousMapKey(let n): return "map field \(n) has keys that differ only in Unicode normalization"
        }
    }
}
