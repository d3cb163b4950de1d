/// A forward-only cursor over a borrowed buffer holding protobuf binary data.
///
/// Generated `decodeFields(from:)` methods drive it: read a key, switch on it, read the value.
/// Nothing is copied except the contents of `string` and `bytes` fields.
@frozen
public struct ProtoReader {
    /// Protobuf's default recursion limit: messages and groups nested deeper are rejected.
    public static let maxDepth = 100

    @usableFromInline var cursor: UnsafeRawPointer
    @usableFromInline let end: UnsafeRawPointer
    @usableFromInline var depth: Int

    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; any non-null pointer serves, as a reader
        // whose cursor equals its end never dereferences it.
        let start = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 0x1000)!
        self.cursor = start
        self.end = start + buffer.count
        self.depth = 0
    }

    @inlinable
    init(cursor: UnsafeRawPointer, end: UnsafeRawPointer, depth: Int) {
        self.cursor = cursor
        self.end = end
        self.depth = depth
    }

    @inlinable
    public var isAtEnd: Bool { cursor >= end }

    /// The current read position, used to capture an unknown field's raw bytes.
    @inlinable
    public var position: UnsafeRawPointer { cursor }

    @inlinable
    var remaining: Int { end - cursor }

    // MARK: Varints

    @inlinable
    public mutating func readVarint() throws(ProtoDecodingError) -> UInt64 {
        if cursor < end {
            let byte = cursor.load(as: UInt8.self)
            if byte < 0x80 {
                cursor += 1
                return UInt64(byte)
            }
        }
        return try readVarintSlow()
    }

    /// Up to ten bytes; like protobuf C++, bits past the 64th of the tenth byte are dropped,
    /// but a tenth byte with its continuation bit set is malformed.
    @usableFromInline
    mutating func readVarintSlow() throws(ProtoDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var p = cursor
        while true {
            guard p < end else { throw .truncated }
            let byte = p.load(as: UInt8.self)
            p += 1
            result |= UInt64(byte & 0x7F) &<< shift
            if byte < 0x80 {
                cursor = p
                return result
            }
            shift += 7
            if shift >= 70 { throw .malformedVarint }
        }
    }

    /// Reads a field key. Keys wider than 32 bits, field number 0 and wire types 6 and 7 are
    /// errors; the caller checks `isAtEnd` first.
    @inlinable
    public mutating func readTag() throws(ProtoDecodingError) -> FieldTag {
        let raw = try readVarint()
        guard raw <= UInt64(UInt32.max) else { throw .malformedVarint }
        let tag = FieldTag(rawValue: UInt32(truncatingIfNeeded: raw))
        guard tag.fieldNumber != 0 else { throw .fieldNumberZero }
        guard tag.wireTypeBits <= 5 else { throw .invalidWireType(tag.wireTypeBits) }
        return tag
    }

    // MARK: Fixed width

    @inlinable
    public mutating func readFixed32() throws(ProtoDecodingError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        let v = UInt32(littleEndian: cursor.loadUnaligned(as: UInt32.self))
        cursor += 4
        return v
    }

    @inlinable
    public mutating func readFixed64() throws(ProtoDecodingError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        let v = UInt64(littleEndian: cursor.loadUnaligned(as: UInt64.self))
        cursor += 8
        return v
    }

    // MARK: Length-delimited

    /// Reads a length prefix and checks that many bytes remain.
    @inlinable
    public mutating func readLength() throws(ProtoDecodingError) -> Int {
        let raw = try readVarint()
        guard raw <= UInt64(Int32.max) else { throw .lengthOverflow }
        let length = Int(raw)
        guard length <= remaining else { throw .truncated }
        return length
    }

    /// Reads a length-delimited payload and hands it to `body` without copying.
    @inlinable
    public mutating func withLengthDelimited<R>(
        _ body: (UnsafeRawBufferPointer) throws(ProtoDecodingError) -> R
    ) throws(ProtoDecodingError) -> R {
        let length = try readLength()
        let start = cursor
        cursor += length
        return try body(UnsafeRawBufferPointer(start: start, count: length))
    }

    /// Decodes a nested message and merges it into `message`.
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(into message: inout M) throws(ProtoDecodingError) {
        let length = try readLength()
        guard depth < ProtoReader.maxDepth else { throw .nestingTooDeep }
        var sub = ProtoReader(cursor: cursor, end: cursor + length, depth: depth + 1)
        try message.decodeFields(from: &sub)
        cursor += length
    }

    /// Reads a length-delimited nested record (a map entry) with a sub-reader.
    @inlinable
    public mutating func readNested(
        _ body: (inout ProtoReader) throws(ProtoDecodingError) -> Void
    ) throws(ProtoDecodingError) {
        let length = try readLength()
        guard depth < ProtoReader.maxDepth else { throw .nestingTooDeep }
        var sub = ProtoReader(cursor: cursor, end: cursor + length, depth: depth + 1)
        try body(&sub)
        cursor += length
    }

    /// Decodes a nested message into a new value.
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(_ type: M.Type = M.self) throws(ProtoDecodingError) -> M {
        var message = M()
        try readMessage(into: &message)
        return message
    }
}
