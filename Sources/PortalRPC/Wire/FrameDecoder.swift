/// One frame: its header and its payload bytes.
public struct Frame: Sendable, Equatable {
    public var header: FrameHeader
    public var payload: [UInt8]

    public init(header: FrameHeader, payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }
}

/// Connection-fatal framing errors; the connection answers with GOAWAY and closes.
public enum FrameDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The first bytes were not the protocol preface (an HTTP request, a TLS hello, noise).
    case badPreface
    /// The reserved header bytes were not zero.
    case reservedBitsSet
    /// A frame announced more payload than the receiver's maximum frame size. Detected from
    /// the header alone, before any of the payload is buffered.
    case frameTooLarge(length: UInt32, limit: Int)

    public var description: String {
        switch self {
        case .badPreface: return "bad preface: not a CitizenPortal RPC client"
        case .reservedBitsSet: return "reserved header bytes are not zero"
        case .frameTooLarge(let length, let limit): return "frame of \(length) bytes exceeds the limit of \(limit)"
        }
    }
}

/// What the decoder produced.
public enum FrameEvent: Sendable, Equatable {
    case frame(Frame)
    /// A MESSAGE frame longer than the maximum frame size: its payload is discarded as it
    /// arrives, never buffered, and the stream gets RESOURCE_EXHAUSTED while the connection
    /// carries on.
    case oversizeMessage(FrameHeader)
}

/// Splits a byte stream into frames incrementally: bytes may arrive one at a time or many
/// frames per read. Holds at most one frame's worth of unconsumed bytes plus one read.
public struct FrameDecoder {
    private var buffer: [UInt8] = []
    private var start = 0
    private var prefaceRemaining: Int
    private var discardRemaining = 0
    public var maxFrameSize: Int

    /// - Parameter expectPreface: true on the server side of a connection.
    public init(maxFrameSize: Int = ProtocolConstants.defaultMaxFrameSize, expectPreface: Bool) {
        self.maxFrameSize = maxFrameSize
        self.prefaceRemaining = expectPreface ? ProtocolConstants.preface.count : 0
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Whether a frame has begun but is not complete (its header or payload is partly here,
    /// or an oversize message is still being skipped). After `nextEvent()` returned nil this
    /// means "waiting for the rest of a frame"; false means "between frames".
    public var isMidFrame: Bool { discardRemaining > 0 || buffer.count > start }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete frame, nil if more bytes are needed. Oversize frames of any type
    /// throw; use `nextEvent()` to skip oversize MESSAGE frames instead.
    public mutating func nextFrame() throws(FrameDecodingError) -> Frame? {
        switch try nextEvent(skipOversizeMessages: false) {
        case .frame(let f)?: return f
        default: return nil
        }
    }

    public mutating func nextEvent(skipOversizeMessages: Bool = true) throws(FrameDecodingError) -> FrameEvent? {
        if discardRemaining > 0 {
            let n = min(discardRemaining, buffer.count - start)
            start += n
            discardRemaining -= n
            compactIfWorthwhile()
            if discardRemaining > 0 { return nil }
        }
        if prefaceRemaining > 0 {
            let expected = ProtocolConstants.preface
            while prefaceRemaining > 0 && start < buffer.count {
                guard buffer[start] == expected[expected.count - prefaceRemaining] else { throw .badPreface }
                start += 1
                prefaceRemaining -= 1
            }
            if prefaceRemaining > 0 { return nil }
        }
        guard buffer.count - start >= ProtocolConstants.headerSize else { return nil }
        let parsed = buffer.withUnsafeBytes { raw in
            FrameHeader(UnsafeRawBufferPointer(rebasing: raw[start..<(start + ProtocolConstants.headerSize)]))
        }
        guard let header = parsed else { throw .reservedBitsSet }
        guard Int(header.length) <= maxFrameSize else {
            guard skipOversizeMessages, header.type == .message else {
                throw .frameTooLarge(length: header.length, limit: maxFrameSize)
            }
            start += ProtocolConstants.headerSize
            discardRemaining = Int(header.length)
            let n = min(discardRemaining, buffer.count - start)
            start += n
            discardRemaining -= n
            compactIfWorthwhile()
            return .oversizeMessage(header)
        }
        let total = ProtocolConstants.headerSize + Int(header.length)
        guard buffer.count - start >= total else { return nil }
        let payloadStart = start + ProtocolConstants.headerSize
        let payload = Array(buffer[payloadStart..<(start + total)])
        start += total
        compactIfWorthwhile()
        return .frame(Frame(header: header, payload: payload))
    }

    /// Drops consumed bytes once they are the larger part of the buffer.
    private mutating func compactIfWorthwhile() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        } else if start > 64 * 1024 && start * 2 > buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}
