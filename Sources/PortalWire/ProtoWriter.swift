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

    @inlinable
    public mutating func writeByte(_ b: UInt8) {
        cursor.storeBytes(of: b, as: UInt8.self)
        cursor += 1
    }

    /// Writes a precomputed key of one or two bytes (generated code knows every key).
    @inlinable
    public mutating func writeTag(_ raw: UInt32) {
        if raw < 0x80 {
            writeByte(UInt8(truncatingIfNeeded: raw))
        } else {
            writeVarint(UInt64(raw))
        }
    }

    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            cursor.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, as: UInt8.self)
            cursor += 1
            v >>= 7
        }
        cursor.storeBytes(of: UInt8(truncatingIfNeeded: v), as: UInt8.self)
        cursor += 1
    }

    @inlinable public mutating func writeInt32(_ v: Int32) { writeVarint(UInt64(bitPattern: Int64(v))) }
    @inlinable public mutating func writeInt64(_ v: Int64) { writeVarint(UInt64(bitPattern: v)) }
    @inlinable public mutating func writeUInt32(_ v: UInt32) { writeVarint(UInt64(v)) }
    @inlinable public mutating func writeUInt64(_ v: UInt64) { writeVarint(v) }
    @inlinable public mutating func writeSInt32(_ v: Int32) { writeVarint(UInt64(ZigZag.encode32(v))) }
    @inlinable public mutating func writeSInt64(_ v: Int64) { writeVarint(ZigZag.encode64(v)) }
    @inlinable public mutating func writeBool(_ v: Bool) { writeByte(v ? 1 : 0) }
    @inlinable public mutating func writeEnum<E: ProtoEnum>(_ v: E) { writeInt32(v.rawValue) }

    @inlinable
    public mutating func writeFixed32(_ v: UInt32) {
        cursor.storeBytes(of: v.littleEndian, as: UInt32.self)
        cursor += 4
    }

    @inlinable
    public mutating func writeFixed64(_ v: UInt64) {
        cursor.storeBytes(of: v.littleEndian, as: UInt64.self)
        cursor += 8
    }

    @inlinable public mutating func writeSFixed32(_ v: Int32) { writeFixed32(UInt32(bitPattern: v)) }
    @inlinable public mutating func writeSFixed64(_ v: Int64) { writeFixed64(UInt64(bitPattern: v)) }
    @inlinable public mutating func writeFloat(_ v: Float) { writeFixed32(v.bitPattern) }
    @inlinable public mutating func writeDouble(_ v: Double) { writeFixed64(v.bitPattern) }

    @inlinable
    public mutating func writeRaw(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        cursor.copyMemory(from: base, byteCount: raw.count)
        cursor += raw.count
    }

    /// Length prefix and UTF-8 bytes.
    @inlinable
    public mutating func writeString(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            writeRaw(UnsafeRawBufferPointer(utf8))
        }
    }

    @inlinable
    public mutating func writeBytes(_ b: [UInt8]) {
        writeVarint(UInt64(b.count))
        b.withUnsafeBytes { writeRaw($0) }
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
