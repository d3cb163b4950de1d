import PortalModel

/// Appends frames to an outbound byte buffer; messages are encoded in place after their
/// header, so a frame costs no extra copy.
public struct FrameEncoder {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public var isEmpty: Bool { bytes.isEmpty }

    public mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    public mutating func removeFirst(_ count: Int) { bytes.removeFirst(count) }

    /// A frame whose payload is a protobuf message.
    public mutating func append<M: ProtoMessage>(_ type: FrameType, stream: UInt32, flags: FrameFlags = [], message: M) {
        let headerAt = bytes.count
        FrameHeader(length: 0, stream: stream, type: type, flags: flags).append(to: &bytes)
        message.append(to: &bytes)
        let length = bytes.count - headerAt - ProtocolConstants.headerSize
        bytes[headerAt] = UInt8(truncatingIfNeeded: length >> 24)
        bytes[headerAt + 1] = UInt8(truncatingIfNeeded: length >> 16)
        bytes[headerAt + 2] = UInt8(truncatingIfNeeded: length >> 8)
        bytes[headerAt + 3] = UInt8(truncatingIfNeeded: length)
    }

    /// A frame with a raw payload (PING's 8 bytes, WINDOW_UPDATE's increment, pre-encoded messages).
    public mutating func append(_ type: FrameType, stream: UInt32, flags: FrameFlags = [], payload: [UInt8] = []) {
        FrameHeader(length: payload.count, stream: stream, type: type, flags: flags).append(to: &bytes)
        bytes.append(contentsOf: payload)
    }

    public mutating func appendPreface() { bytes.append(contentsOf: ProtocolConstants.preface) }

    /// WINDOW_UPDATE: a 4-byte big-endian increment.
    public mutating func appendWindowUpdate(stream: UInt32, increment: UInt32) {
        append(.windowUpdate, stream: stream, payload: [
            UInt8(truncatingIfNeeded: increment >> 24), UInt8(truncatingIfNeeded: increment >> 16),
            UInt8(truncatingIfNeeded: increment >> 8), UInt8(truncatingIfNeeded: increment),
        ])
    }
}
