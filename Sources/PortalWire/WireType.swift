/// The six wire types of the protobuf binary encoding (3 and 4 are the deprecated groups).
public enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A decoded field key: `fieldNumber << 3 | wireType`.
@frozen
public struct FieldTag: Hashable, Sendable {
    /// The raw key as it appears on the wire (at most 32 bits).
    public let rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable
    public init(fieldNumber: Int, wireType: WireType) {
        self.rawValue = UInt32(fieldNumber) << 3 | UInt32(wireType.rawValue)
    }

    @inlinable
    public var fieldNumber: Int { Int(rawValue >> 3) }

    @inlinable
    public var wireTypeBits: UInt8 { UInt8(truncatingIfNeeded: rawValue & 7) }

    /// The largest field number protobuf allows (2^29 - 1).
    public static let maxFieldNumber = 536_870_911
}
