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
