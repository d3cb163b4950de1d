/// The 12-byte big-endian frame header: `u32 length | u32 stream | u8 type | u8 flags | u16 0`.
public struct FrameHeader: Hashable, Sendable {
    public var length: UInt32
    public var stream: UInt32
    /// The raw type byte; unknown types are a protocol error the connection reports.
    public var typeByte: UInt8
    public var flags: FrameFlags

    public init(length: Int, stream: UInt32, type: FrameType, flags: FrameFlags = []) {
        self.length = UInt32(length)
        self.stream = stream
        self.typeByte = type.rawValue
        self.flags = flags
    }

    public var type: FrameType? { FrameType(rawValue: typeByte) }

    /// Reads a header from exactly 12 bytes; the reserved field must be zero.
    public init?(_ raw: UnsafeRawBufferPointer) {
        guard raw.count >= ProtocolConstants.headerSize else { return nil }
        func u32(_ at: Int) -> UInt32 {
            UInt32(raw[at]) << 24 | UInt32(raw[at + 1]) << 16 | UInt32(raw[at + 2]) << 8 | UInt32(raw[at + 3])
        }
        length = u32(0)
        stream = u32(4)
        typeByte = raw[8]
        flags = FrameFlags(rawValue: raw[9])
        guard raw[10] == 0 && raw[11] == 0 else { return nil }
    }

    /// Appends the 12 header bytes.
    public func append(to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: length >> 24))
        out.append(UInt8(truncatingIfNeeded: length >> 16))
        out.append(UInt8(truncatingIfNeeded: length >> 8))
        out.append(UInt8(truncatingIfNeeded: length))
        out.append(UInt8(truncatingIfNeeded: stream >> 24))
        out.append(UInt8(truncatingIfNeeded: stream >> 16))
        out.append(UInt8(truncatingIfNeeded: stream >> 8))
        out.append(UInt8(truncatingIfNeeded: stream))
        out.append(typeByte)
        out.append(flags.rawValue)
        out.append(0)
        out.append(0)
    }
}
