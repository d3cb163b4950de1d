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

    // MARK: Runs of one repeated field

    /// If the next key is `key` in its canonical one- or two-byte encoding, consumes it.
    /// Generated decoders use it to stay on a run of elements of one repeated field instead
    /// of going back through the field switch for each element; any other encoding (or a
    /// longer key) returns false and the switch handles it as before.
    @inlinable @inline(__always)
    public mutating func consumeKey(_ key: UInt32) -> Bool {
        if key < 0x80 {
            guard cursor < end, cursor.load(as: UInt8.self) == UInt8(truncatingIfNeeded: key) else { return false }
            cursor += 1
            return true
        }
        if key < 0x4000 {
            let encoded = UInt16(truncatingIfNeeded: (key & 0x7F) | 0x80 | ((key &>> 7) &<< 8))
            guard end - cursor >= 2, UInt16(littleEndian: cursor.loadUnaligned(as: UInt16.self)) == encoded else { return false }
            cursor += 2
            return true
        }
        return false
    }

    /// How many length-delimited records form the run that starts at the cursor: this one
    /// (its key already read) and each directly following one with the canonical encoding of
    /// `key`. Only headers are read; a record that does not fit ends the count (the decode
    /// that follows reports it). Used to size an array once before decoding the run.
    @inlinable
    func lengthDelimitedRunCount(key: UInt32) -> Int {
        var count = 0
        var p = cursor
        if key < 0x4000 {
            // Keys of one or two bytes and lengths below 128 (short strings, small messages):
            // one load per length and per key; a longer length goes to the general loop
            // below, from the record it could not read.
            let keySize = key < 0x80 ? 1 : 2
            let encodedKey = key < 0x80
                ? UInt16(truncatingIfNeeded: key)
                : UInt16(truncatingIfNeeded: (key & 0x7F) | 0x80 | ((key &>> 7) &<< 8))
            while p < end {
                let length = Int(p.load(as: UInt8.self))
                guard length < 0x80 else { break }
                // The length byte and the payload must fit; a record that does not ends the run.
                guard length < end - p else { return count }
                p += 1 &+ length
                count &+= 1
                guard end - p >= keySize else { return count }
                if keySize == 1 {
                    guard UInt16(p.load(as: UInt8.self)) == encodedKey else { return count }
                } else {
                    guard UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)) == encodedKey else { return count }
                }
                p += keySize
            }
            if p >= end { return count }
        }
        var probe = ProtoReader(cursor: p, end: end, depth: depth)
        while true {
            guard let length = try? probe.readLength() else { return count }
            probe.cursor += length
            count &+= 1
            guard probe.consumeKey(key) else { return count }
        }
    }

    /// Makes room for `more` elements. Grows at least geometrically, so that many short
    /// runs of one field (interleaved with other fields) still cost amortised O(1) each:
    /// `reserveCapacity` alone allocates exactly what is asked, which would copy the array
    /// on every run.
    @inlinable
    static func reserve<T>(_ array: inout [T], _ more: Int) {
        let needed = array.count &+ more
        if needed > array.capacity {
            array.reserveCapacity(Swift.max(needed, array.capacity &* 2))
        }
    }

    /// Reads the element whose key `key` was just read, then every directly following
    /// element with the same key, appending each to `array` (grown once for the run).
    @inlinable
    public mutating func readRepeatedStrings(key: UInt32, fieldNumber: Int, into array: inout [String]) throws(ProtoDecodingError) {
        let count = lengthDelimitedRunCount(key: key)
        if array.isEmpty && count >= ProtoReader.directRunMinimum {
            // A long run into an empty array (a field's only run, usually): decode straight
            // into the new array's storage, without append's per-element checks.
            var failure: ProtoDecodingError? = nil
            array = [String](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = readCountedStringRun(key: key, count: count, fieldNumber: fieldNumber,
                                                   into: buffer.baseAddress!, &failure)
            }
            if let failure { throw failure }
            // A record that did not fit may follow: the element-wise path reports it.
            guard consumeKey(key) else { return }
        } else {
            ProtoReader.reserve(&array, count)
        }
        repeat {
            array.append(try readString(fieldNumber: fieldNumber))
        } while consumeKey(key)
    }

    /// Decodes the `count` strings of a run that `lengthDelimitedRunCount` has counted (the
    /// first key already read) into uninitialised storage at `base`, returning how many were
    /// initialised; an error (invalid UTF-8) stops the run and is stored in `failure`.
    /// The count pass read every length and key of these records and found that they fit and
    /// that each key is the canonical one- or two-byte encoding of `key`, so the loop checks
    /// neither again: per string a length, the standard library's validating constructor, and
    /// a fixed-size step over the next key.
    @inlinable @inline(__always)
    mutating func readCountedStringRun(
        key: UInt32, count: Int, fieldNumber: Int, into base: UnsafeMutablePointer<String>,
        _ failure: inout ProtoDecodingError?
    ) -> Int {
        let keySize = key < 0x80 ? 1 : 2
        var p = cursor
        var made = 0
        while true {
            var length = Int(p.load(as: UInt8.self))
            if length < 0x80 {
                p += 1
            } else {
                var r = ProtoReader(cursor: p, end: end, depth: depth)
                do throws(ProtoDecodingError) { length = try r.readLength() } catch {
                    failure = error  // not reached: the count pass read this length
                    break
                }
                p = r.cursor
            }
            guard let s = UTF8Validation.makeString(UnsafeRawBufferPointer(start: p, count: length)) else {
                failure = .invalidUTF8(fieldNumber: fieldNumber)
                break
            }
            (base + made).initialize(to: s)
            made &+= 1
            p += length
            if made == count { break }
            p += keySize
        }
        cursor = p
        return made
    }

    /// The shortest run decoded straight into a new array's storage. Below it, appending to
    /// a reserved array is cheaper: `Array(unsafeUninitializedCapacity:)` allocates through
    /// a non-specialised standard-library entry point that looks up the storage class's
    /// generic metadata on every call (a few hundred instructions), while `reserveCapacity`
    /// is specialised in the caller; appending costs some twenty instructions an element.
    @inlinable static var directRunMinimum: Int { 16 }

    /// Decodes up to `count` elements of a run (the first key already read, each later one
    /// consumed here) into uninitialised storage at `base`, returning how many were
    /// initialised; an error stops the run and is stored in `failure`. The records were
    /// counted by `lengthDelimitedRunCount`, so each of the `count - 1` keys is there.
    @inlinable @inline(__always)
    mutating func readRun<T>(
        key: UInt32, count: Int, into base: UnsafeMutablePointer<T>, _ failure: inout ProtoDecodingError?,
        _ element: (inout ProtoReader) throws(ProtoDecodingError) -> T
    ) -> Int {
        var made = 0
        repeat {
            do throws(ProtoDecodingError) {
                (base + made).initialize(to: try element(&self))
            } catch {
                failure = error
                return made
            }
            made &+= 1
        } while made < count && consumeKey(key)
        return made
    }

    /// `readRepeatedStrings` for `bytes` elements.
    @inlinable
    public mutating func readRepeatedBytes(key: UInt32, into array: inout [[UInt8]]) throws(ProtoDecodingError) {
        let count = lengthDelimitedRunCount(key: key)
        if array.isEmpty && count >= ProtoReader.directRunMinimum {
            var failure: ProtoDecodingError? = nil
            array = [[UInt8]](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = readRun(key: key, count: count, into: buffer.baseAddress!, &failure) { r throws(ProtoDecodingError) in
                    try r.readBytes()
                }
            }
            if let failure { throw failure }
            // A record that did not fit may follow: the element-wise path reports it.
            guard consumeKey(key) else { return }
        } else {
            ProtoReader.reserve(&array, count)
        }
        repeat {
            array.append(try readBytes())
        } while consumeKey(key)
    }

    /// `readRepeatedStrings` for message elements.
    @inlinable
    public mutating func readRepeatedMessages<M: ProtoMessage>(key: UInt32, into array: inout [M]) throws(ProtoDecodingError) {
        let count = lengthDelimitedRunCount(key: key)
        if array.isEmpty && count >= ProtoReader.directRunMinimum {
            var failure: ProtoDecodingError? = nil
            array = [M](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = readRun(key: key, count: count, into: buffer.baseAddress!, &failure) { r throws(ProtoDecodingError) in
                    try r.readMessage(M.self)
                }
            }
            if let failure { throw failure }
            // A record that did not fit may follow: the element-wise path reports it.
            guard consumeKey(key) else { return }
        } else {
            ProtoReader.reserve(&array, count)
        }
        repeat {
            array.append(try readMessage(M.self))
        } while consumeKey(key)
    }

    /// Decodes a nested message into a new value.
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(_ type: M.Type = M.self) throws(ProtoDecodingError) -> M {
        var message = M()
        try readMessage(into: &message)
        return message
    }
}
