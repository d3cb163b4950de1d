/// Writes protobuf binary data into a buffer that the size pass made exactly large enough.
@frozen
public struct ProtoWriter {
    @usableFromInline var cursor: UnsafeMutableRawPointer
    @usableFromInline var cache: SizeCache

    @inlinable
    public init(start: UnsafeMutableRawPointer, cache: SizeCache) {
        self.cursor = start
        self.cache = cache
    }

    @inlinable public var deterministic: Bool { cache.deterministic }
    @inlinable public var position: UnsafeMutableRawPointer { cursor }

    /// The next size recorded by the size pass (nested message or packed run).
    @inlinable
    public mutating func nextSize() -> Int { cache.next() }

    @inlinable @inline(__always)
    public mutating func writeByte(_ b: UInt8) {
        cursor.storeBytes(of: b, as: UInt8.self)
        cursor += 1
    }

    /// Writes a precomputed key (generated code knows every key, so with the key a constant
    /// this folds to one store of one or two bytes).
    @inlinable @inline(__always)
    public mutating func writeTag(_ raw: UInt32) {
        if raw < 0x80 {
            writeByte(UInt8(truncatingIfNeeded: raw))
        } else if raw < 0x4000 {
            let two = UInt16(truncatingIfNeeded: (raw & 0x7F) | 0x80 | ((raw &>> 7) &<< 8))
            cursor.storeBytes(of: two.littleEndian, as: UInt16.self)
            cursor += 2
        } else {
            writeVarint(UInt64(raw))
        }
    }

    @inlinable @inline(__always)
    public mutating func writeVarint(_ value: UInt64) {
        cursor += ProtoWriter.encodeVarint(value, at: cursor)
    }

    /// Writes `value` at `p` and returns its length. Up to four bytes (28 bits) are spread
    /// into 7-bit groups and stored at once; longer values go byte by byte.
    @inlinable @inline(__always)
    static func encodeVarint(_ value: UInt64, at p: UnsafeMutableRawPointer) -> Int {
        if value < 0x80 {
            p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
            return 1
        }
        if value < 0x4000 {
            let two = UInt16(truncatingIfNeeded: (value & 0x7F) | 0x80 | ((value &>> 7) &<< 8))
            p.storeBytes(of: two.littleEndian, as: UInt16.self)
            return 2
        }
        if value < 0x1000_0000 {
            let spread = (value & 0x7F) | ((value & 0x3F80) &<< 1) | ((value & 0x1F_C000) &<< 2)
                | ((value & 0xFE0_0000) &<< 3)
            if value < 0x20_0000 {
                let three = UInt32(truncatingIfNeeded: spread | 0x8080)
                p.storeBytes(of: UInt16(truncatingIfNeeded: three).littleEndian, as: UInt16.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: three &>> 16), toByteOffset: 2, as: UInt8.self)
                return 3
            }
            p.storeBytes(of: UInt32(truncatingIfNeeded: spread | 0x80_8080).littleEndian, as: UInt32.self)
            return 4
        }
        return encodeLongVarint(value, at: p)
    }

    @inlinable
    static func encodeLongVarint(_ value: UInt64, at p: UnsafeMutableRawPointer) -> Int {
        var v = value
        var q = p
        while v >= 0x80 {
            q.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, as: UInt8.self)
            q += 1
            v &>>= 7
        }
        q.storeBytes(of: UInt8(truncatingIfNeeded: v), as: UInt8.self)
        return q - p + 1
    }

    @inlinable @inline(__always) public mutating func writeInt32(_ v: Int32) { writeVarint(UInt64(bitPattern: Int64(v))) }
    @inlinable @inline(__always) public mutating func writeInt64(_ v: Int64) { writeVarint(UInt64(bitPattern: v)) }
    @inlinable @inline(__always) public mutating func writeUInt32(_ v: UInt32) { writeVarint(UInt64(v)) }
    @inlinable @inline(__always) public mutating func writeUInt64(_ v: UInt64) { writeVarint(v) }
    @inlinable @inline(__always) public mutating func writeSInt32(_ v: Int32) { writeVarint(UInt64(ZigZag.encode32(v))) }
    @inlinable @inline(__always) public mutating func writeSInt64(_ v: Int64) { writeVarint(ZigZag.encode64(v)) }
    @inlinable @inline(__always) public mutating func writeBool(_ v: Bool) { writeByte(v ? 1 : 0) }
    @inlinable public mutating func writeEnum<E: ProtoEnum>(_ v: E) { writeInt32(v.rawValue) }

    @inlinable @inline(__always)
    public mutating func writeFixed32(_ v: UInt32) {
        cursor.storeBytes(of: v.littleEndian, as: UInt32.self)
        cursor += 4
    }

    @inlinable @inline(__always)
    public mutating func writeFixed64(_ v: UInt64) {
        cursor.storeBytes(of: v.littleEndian, as: UInt64.self)
        cursor += 8
    }

    @inlinable @inline(__always) public mutating func writeSFixed32(_ v: Int32) { writeFixed32(UInt32(bitPattern: v)) }
    @inlinable @inline(__always) public mutating func writeSFixed64(_ v: Int64) { writeFixed64(UInt64(bitPattern: v)) }
    @inlinable @inline(__always) public mutating func writeFloat(_ v: Float) { writeFixed32(v.bitPattern) }
    @inlinable @inline(__always) public mutating func writeDouble(_ v: Double) { writeFixed64(v.bitPattern) }

    @inlinable @inline(__always)
    public mutating func writeRaw(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        cursor.copyMemory(from: base, byteCount: raw.count)
        cursor += raw.count
    }

    /// Length prefix and UTF-8 bytes.
    @inlinable @inline(__always)
    public mutating func writeString(_ s: String) {
        let written: Void? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            writeVarint(UInt64(utf8.count))
            writeRaw(UnsafeRawBufferPointer(utf8))
        }
        if written == nil { writeStringSlow(s) }
    }

    /// Strings without contiguous UTF-8 (bridged ones) are made native first.
    @inlinable
    mutating func writeStringSlow(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            writeRaw(UnsafeRawBufferPointer(utf8))
        }
    }

    @inlinable @inline(__always)
    public mutating func writeBytes(_ b: [UInt8]) {
        writeVarint(UInt64(b.count))
        b.withUnsafeBytes { writeRaw($0) }
    }

    // MARK: Packed runs

    /// A packed run of varints (the key is already written): the payload length recorded by
    /// the size pass, then every value after `transform`, written through a local cursor.
    /// While eight bytes of the run remain, values below 2^56 are written without branching
    /// on their length (random lengths would defeat the branch predictor): spread into 7-bit
    /// groups, continuation bits set, one 8-byte store, advance by the length. The bytes
    /// past the varint are inside the run and overwritten by the next values.
    @inlinable
    public mutating func writePackedVarints<T>(_ values: [T], _ transform: (T) -> UInt64) {
        let payload = nextSize()
        writeVarint(UInt64(payload))
        let start = cursor
        let stop = start + payload
        cursor = values.withUnsafeBufferPointer { buffer in
            var p = start
            for v in buffer {
                let value = transform(v)
                if value < 1 &<< 56 && stop - p >= 8 {
                    // The highest non-zero byte of the spread groups is the varint's last.
                    let groups = ProtoWriter.spreadVarintGroups(value)
                    let lastByteShift = UInt64((63 &- (groups | 1).leadingZeroBitCount) & ~7)  // 8 × (length - 1)
                    let continuation: UInt64 = 0x8080_8080_8080_8080 & ((1 &<< lastByteShift) &- 1)
                    p.storeBytes(of: (groups | continuation).littleEndian, as: UInt64.self)
                    p += Int(truncatingIfNeeded: lastByteShift &>> 3) &+ 1
                } else {
                    p += ProtoWriter.encodeVarint(value, at: p)
                }
            }
            return p
        }
    }

    /// A packed run of `int32` or enum values (the key is already written): varints of the
    /// values sign-extended to 64 bits, so a negative one takes ten bytes. See
    /// `encodeVarints32` for how.
    @inlinable
    public mutating func writePackedInt32Varints<T>(_ values: [T], _ transform: (T) -> Int32) {
        let payload = nextSize()
        writeVarint(UInt64(payload))
        let start = cursor
        cursor = values.withUnsafeBufferPointer { buffer in
            ProtoWriter.encodeVarints32(buffer, signExtended: true, at: start, stop: start + payload) {
                UInt32(bitPattern: transform($0))
            }
        }
    }

    /// A packed run of `uint32` or `sint32` values (the key is already written): varints of
    /// at most five bytes.
    @inlinable
    public mutating func writePackedUInt32Varints<T>(_ values: [T], _ transform: (T) -> UInt32) {
        let payload = nextSize()
        writeVarint(UInt64(payload))
        let start = cursor
        cursor = values.withUnsafeBufferPointer { buffer in
            ProtoWriter.encodeVarints32(buffer, signExtended: false, at: start, stop: start + payload, transform)
        }
    }

    /// Writes the varints of 32-bit values from `p` (the run ends at `stop`), returning the
    /// end. Values go in chunks of up to 128 through two passes over a stack scratch area:
    ///
    /// 1. four values at a time in SIMD lanes (SSE2 on x86-64), with no branch: each one's
    ///    first eight bytes (five 7-bit groups, continuation bits set below the last byte,
    ///    then 0xFF bytes when negative) and its length (1...5, or 10 for a negative
    ///    sign-extended value);
    /// 2. a scalar scatter: one 8-byte store, a 2-byte store of a negative's last two bytes
    ///    (FF 01; zeros otherwise), and the cursor advanced by the length.
    ///
    /// Bytes stored past a varint's end lie inside the run (the scatter stops 40 bytes before
    /// `stop`) and are overwritten by the values that follow; the last few values are written
    /// one at a time. No branch depends on a value's length.
    @inlinable @inline(__always)
    static func encodeVarints32<T>(
        _ buffer: UnsafeBufferPointer<T>, signExtended: Bool,
        at start: UnsafeMutableRawPointer, stop: UnsafeMutableRawPointer, _ transform: (T) -> UInt32
    ) -> UnsafeMutableRawPointer {
        var p = start
        var i = 0
        let n = buffer.count
        if n >= 4 && stop - p >= 40 {
            withUnsafeTemporaryAllocation(byteCount: 128 &* 12, alignment: 16) { scratch in
                // Per group of four values: 32 bytes of words (values 0 and 2, then 1 and
                // 3) in `words`, 16 bytes of lengths in `lengths`.
                let words = scratch.baseAddress!
                let lengths = words + 128 &* 8
                let base = buffer.baseAddress!
                chunks: while n &- i >= 4 && stop - p >= 40 {
                    let groups = Swift.min((n &- i) &>> 2, 32)
                    for g in 0..<groups {
                        let e = base + (i &+ g &* 4)
                        let v = SIMD4<UInt32>(transform(e[0]), transform(e[1]), transform(e[2]), transform(e[3]))
                        let (even, odd, length) = ProtoWriter.varintWords32(v, signExtended: signExtended)
                        (words + g &* 32).storeBytes(of: even, as: SIMD2<UInt64>.self)
                        (words + (g &* 32 &+ 16)).storeBytes(of: odd, as: SIMD2<UInt64>.self)
                        (lengths + g &* 16).storeBytes(of: length, as: SIMD4<Int32>.self)
                    }
                    for g in 0..<groups {
                        guard stop - p >= 40 else { break chunks }
                        for k in 0..<4 {
                            // Value k's word: even values first, then odd ones.
                            let word = words.load(fromByteOffset: g &* 32 &+ (k & 1) &* 16 &+ (k &>> 1) &* 8, as: UInt64.self)
                            p.storeBytes(of: word.littleEndian, as: UInt64.self)
                            if signExtended {
                                // FF 01 after a negative value's first eight bytes (whose last
                                // is 0xFF only then), zeros otherwise.
                                let tail = UInt16(truncatingIfNeeded: Int64(bitPattern: word) &>> 63) & 0x01FF
                                p.storeBytes(of: tail.littleEndian, toByteOffset: 8, as: UInt16.self)
                            }
                            p += Int(lengths.load(fromByteOffset: g &* 16 &+ k &* 4, as: Int32.self))
                        }
                        i &+= 4
                    }
                }
            }
        }
        while i < n {
            let u = transform(buffer[i])
            let value = signExtended ? UInt64(bitPattern: Int64(Int32(bitPattern: u))) : UInt64(u)
            p += ProtoWriter.encodeVarint(value, at: p)
            i &+= 1
        }
        return p
    }

    /// Four 32-bit values' varints in SIMD lanes: the first eight bytes of values 0 and 2
    /// (`even`) and of values 1 and 3 (`odd`), and the four lengths. With `signExtended`, a
    /// value with bit 31 set is negative and encodes as ten bytes, of which bytes 8 and 9
    /// (FF 01) are left to the caller.
    @inlinable @inline(__always)
    static func varintWords32(_ u: SIMD4<UInt32>, signExtended: Bool)
        -> (even: SIMD2<UInt64>, odd: SIMD2<UInt64>, length: SIMD4<Int32>) {
        // The four low 7-bit groups, one a byte: bits 14... up by 2, then bits 7... of each
        // 16-bit half up by 1 (x + t adds t shifted left by one where t = x & mask).
        var groups = u & 0x0FFF_FFFF
        let upper = groups & 0x0FFF_C000
        groups = groups &+ upper &+ upper &+ upper
        groups = groups &+ (groups & 0x3F80_3F80)
        let fifth = u &>> 28  // the fifth group's low four bits
        // Byte k (0...3) continues when a later byte is non-zero: smear the later bytes
        // down, then test each byte (7-bit values, so adding 0x7F carries into bit 7 only
        // when the byte is non-zero).
        var later = (groups &>> 8) | (fifth &<< 24)
        later |= later &>> 8
        later |= later &>> 16
        var continuation = (later &+ 0x7F7F_7F7F) & 0x8080_8080
        var high = fifth
        var negative = SIMD4<UInt32>()
        if signExtended {
            // Negative: every byte continues, the fifth group gets bits 32...34 (ones), and
            // bytes 5...7 are 0xFF.
            negative = SIMD4<UInt32>(truncatingIfNeeded: SIMD4<Int32>(truncatingIfNeeded: u) &>> 31)
            continuation |= negative & 0x8080_8080
            high |= negative & 0xFFFF_FFF0
        }
        let low = groups | continuation
        // Length: one plus the continuation bits (plus five more bytes when negative).
        var bits = continuation &>> 7
        bits = bits &+ (bits &>> 8)
        bits = bits &+ (bits &>> 16)
        var length = SIMD4<Int32>(truncatingIfNeeded: (bits & 0xFF) &+ 1)
        if signExtended { length &+= SIMD4<Int32>(truncatingIfNeeded: negative & 5) }
        // Interleave into 64-bit words with lane-wise operations (no shuffles).
        let low64 = unsafeBitCast(low, to: SIMD2<UInt64>.self)
        let high64 = unsafeBitCast(high, to: SIMD2<UInt64>.self)
        let even = (low64 & 0xFFFF_FFFF) | (high64 &<< 32)
        let odd = (low64 &>> 32) | (high64 & 0xFFFF_FFFF_0000_0000)
        return (even, odd, length)
    }

    /// Spreads the low 56 bits of `value` into eight 7-bit groups, one per byte (the inverse
    /// of `ProtoReader.gatherVarintGroups`).
    @inlinable @inline(__always)
    static func spreadVarintGroups(_ value: UInt64) -> UInt64 {
        var x = value
        x = (x & 0x0000_0000_0FFF_FFFF) | ((x & 0x00FF_FFFF_F000_0000) &<< 4)
        x = (x & 0x0000_3FFF_0000_3FFF) | ((x & 0x0FFF_C000_0FFF_C000) &<< 2)
        x = (x & 0x007F_007F_007F_007F) | ((x & 0x3F80_3F80_3F80_3F80) &<< 1)
        return x
    }

    /// A packed run of 4-byte values (the key is already written).
    @inlinable
    public mutating func writePackedFixed32<T>(_ values: [T], _ transform: (T) -> UInt32) {
        writeVarint(UInt64(values.count &* 4))
        let start = cursor
        cursor = values.withUnsafeBufferPointer { buffer in
            var p = start
            for v in buffer {
                p.storeBytes(of: transform(v).littleEndian, as: UInt32.self)
                p += 4
            }
            return p
        }
    }

    /// A packed run of 8-byte values (the key is already written).
    @inlinable
    public mutating func writePackedFixed64<T>(_ values: [T], _ transform: (T) -> UInt64) {
        writeVarint(UInt64(values.count &* 8))
        let start = cursor
        cursor = values.withUnsafeBufferPointer { buffer in
            var p = start
            for v in buffer {
                p.storeBytes(of: transform(v).littleEndian, as: UInt64.self)
                p += 8
            }
            return p
        }
    }

    /// Length prefix (from the size pass) and the message's fields.
    @inlinable
    public mutating func writeMessage<M: ProtoMessage>(_ message: M) {
        writeVarint(UInt64(nextSize()))
        message.encodeFields(to: &self)
    }

    @inlinable
    public mutating func writeUnknown(_ unknown: UnknownFields) {
        unknown.bytes.withUnsafeBytes { writeRaw($0) }
    }
}
