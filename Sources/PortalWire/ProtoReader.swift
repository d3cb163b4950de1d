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

    @inlinable @inline(__always)
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
        guard cursor < end else { throw .truncated }
        return try ProtoReader.decodeMultiByteVarint(&cursor, end)
    }

    /// Decodes the varint at `p` (which is below `limit`), advancing `p` past it.
    @inlinable @inline(__always)
    static func decodeVarint(_ p: inout UnsafeRawPointer, _ limit: UnsafeRawPointer) throws(ProtoDecodingError) -> UInt64 {
        let byte = p.load(as: UInt8.self)
        if byte < 0x80 {
            p += 1
            return UInt64(byte)
        }
        return try decodeMultiByteVarint(&p, limit)
    }

    /// `decodeVarint` for any length. With ten bytes in reach it loads eight at once, finds
    /// the last byte from the continuation bits and gathers the 7-bit groups with shifts and
    /// masks; near the limit it goes byte by byte. Both agree on every input.
    @inlinable @inline(__always)
    static func decodeMultiByteVarint(_ p: inout UnsafeRawPointer, _ limit: UnsafeRawPointer) throws(ProtoDecodingError) -> UInt64 {
        if limit - p >= 10 {
            let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
            let stops = ~word & 0x8080_8080_8080_8080
            if stops != 0 {
                // The lowest clear high bit ends the varint: keep the bytes up to it.
                let bits = stops.trailingZeroBitCount &+ 1  // 8, 16, ..., 64
                p += bits &>> 3
                return gatherVarintGroups(word & (UInt64.max &>> UInt64(64 &- bits)))
            }
            // Eight continuation bytes: a ninth and maybe a tenth byte follow.
            var result = gatherVarintGroups(word)
            let b8 = UInt64(p.load(fromByteOffset: 8, as: UInt8.self))
            result |= (b8 & 0x7F) &<< 56
            if b8 < 0x80 {
                p += 9
                return result
            }
            let b9 = UInt64(p.load(fromByteOffset: 9, as: UInt8.self))
            guard b9 < 0x80 else { throw .malformedVarint }
            p += 10
            return result | (b9 &<< 63)
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var q = p
        while true {
            guard q < limit else { throw .truncated }
            let byte = q.load(as: UInt8.self)
            q += 1
            result |= UInt64(byte & 0x7F) &<< shift
            if byte < 0x80 {
                p = q
                return result
            }
            shift += 7
            if shift >= 70 { throw .malformedVarint }
        }
    }

    /// Packs the low seven bits of each of the eight little-endian bytes of `word` together
    /// (56 bits): pairs of groups, then pairs of pairs, then the two halves.
    @inlinable @inline(__always)
    static func gatherVarintGroups(_ word: UInt64) -> UInt64 {
        var x = word & 0x7F7F_7F7F_7F7F_7F7F
        x = (x & 0x007F_007F_007F_007F) | ((x & 0x7F00_7F00_7F00_7F00) &>> 1)
        x = (x & 0x0000_3FFF_0000_3FFF) | ((x & 0x3FFF_0000_3FFF_0000) &>> 2)
        x = (x & 0x0000_0000_0FFF_FFFF) | ((x & 0x0FFF_FFFF_0000_0000) &>> 4)
        return x
    }

    /// How many varints end in `count` bytes at `p`: the bytes below 0x80. Counted as
    /// `count` minus the continuation bytes, 32 bytes a step in per-byte vector counters
    /// (one compare and one subtract per 16 bytes with SSE2), summed every 255 steps before
    /// a counter could wrap.
    @inlinable
    static func countVarintEnds(_ p: UnsafeRawPointer, _ count: Int) -> Int {
        var continuations = 0
        var i = 0
        while count &- i >= 32 {
            let chunkEnd = i &+ Swift.min(count &- i, 255 &* 32)
            var a = SIMD16<UInt8>()
            var b = SIMD16<UInt8>()
            while chunkEnd &- i >= 32 {
                a &+= p.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self) &>> 7
                b &+= p.loadUnaligned(fromByteOffset: i &+ 16, as: SIMD16<UInt8>.self) &>> 7
                i &+= 32
            }
            continuations &+= byteSum(a) &+ byteSum(b)
        }
        while i &+ 8 <= count {
            let word = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            continuations &+= byteSum(word &>> 7 & 0x0101_0101_0101_0101)
            i &+= 8
        }
        while i < count {
            if p.load(fromByteOffset: i, as: UInt8.self) >= 0x80 { continuations &+= 1 }
            i &+= 1
        }
        return count &- continuations
    }

    /// The sum of the sixteen bytes of `v`.
    @inlinable @inline(__always)
    static func byteSum(_ v: SIMD16<UInt8>) -> Int {
        let halves = unsafeBitCast(v, to: SIMD2<UInt64>.self)
        return byteSum(halves[0]) &+ byteSum(halves[1])
    }

    /// The sum of the eight bytes of `word`.
    @inlinable @inline(__always)
    static func byteSum(_ word: UInt64) -> Int {
        let pairs = (word & 0x00FF_00FF_00FF_00FF) &+ ((word &>> 8) & 0x00FF_00FF_00FF_00FF)
        return Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) &>> 48)
    }

    /// Reads a field key. Keys wider than 32 bits, field number 0 and wire types 6 and 7 are
    /// errors; the caller checks `isAtEnd` first.
    @inlinable @inline(__always)
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
    @inlinable @inline(__always)
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
