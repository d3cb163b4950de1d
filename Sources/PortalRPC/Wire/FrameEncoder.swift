import PortalModel

/// Appends frames to an outbound byte buffer; messages are encoded in place after their
/// header, so a frame costs no extra copy.
///
/// Bytes already written to a socket are dropped by moving a start index, and the storage
/// is compacted only once the written part is the larger one: a client that reads a few
/// bytes at a time from a large backlog costs amortized O(1) per byte, not a memmove of the
/// whole backlog per write.
public struct FrameEncoder {
    private var storage: [UInt8] = []
    /// Index of the first byte not yet taken or written.
    private var start = 0

    public init() {}

    /// The queued bytes (a copy when part of the storage was already written).
    public var bytes: [UInt8] { start == 0 ? storage : Array(storage[start...]) }

    /// How many bytes are queued.
    public var count: Int { storage.count - start }

    public var isEmpty: Bool { storage.count == start }

    public mutating func take() -> [UInt8] {
        defer {
            storage = []
            start = 0
        }
        return bytes
    }

    /// Drops the first `count` queued bytes (they were written).
    public mutating func removeFirst(_ count: Int) {
        precondition(count >= 0 && count <= self.count, "removeFirst beyond the queued bytes")
        start += count
        if start == storage.count {
            // Keep a modest buffer for the next frames; give a large one back.
            storage.removeAll(keepingCapacity: storage.capacity <= 64 * 1024)
            start = 0
        } else if start >= 64 * 1024 && start * 2 >= storage.count {
            storage.removeSubrange(0..<start)
            start = 0
        }
    }

    /// A frame whose payload is a protobuf message.
    public mutating func append<M: ProtoMessage>(_ type: FrameType, stream: UInt32, flags: FrameFlags = [], message: M) {
        let headerAt = storage.count
        FrameHeader(length: 0, stream: stream, type: type, flags: flags).append(to: &storage)
        message.append(to: &storage)
        let length = storage.count - headerAt - ProtocolConstants.headerSize
        storage[headerAt] = UInt8(truncatingIfNeeded: length >> 24)
        storage[headerAt + 1] = UInt8(truncatingIfNeeded: length >> 16)
        storage[headerAt + 2] = UInt8(truncatingIfNeeded: length >> 8)
        storage[headerAt + 3] = UInt8(truncatingIfNeeded: length)
    }

    /// A frame with a raw payload (PING's 8 bytes, WINDOW_UPDATE's increment, pre-encoded messages).
    public mutating func append(_ type: FrameType, stream: UInt32, flags: FrameFlags = [], payload: [UInt8] = []) {
        FrameHeader(length: payload.count, stream: stream, type: type, flags: flags).append(to: &storage)
        storage.append(contentsOf: payload)
    }

    public mutating func appendPreface() { storage.append(contentsOf: ProtocolConstants.preface) }

    /// Calls `body` with the queued bytes (no copy), for writing them to a socket.
    func withQueuedBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }

    /// WINDOW_UPDATE: a 4-byte big-endian increment.
    public mutating func appendWindowUpdate(stream: UInt32, increment: UInt32) {
        append(.windowUpdate, stream: stream, payload: [
            UInt8(truncatingIfNeeded: increment >> 24), UInt8(truncatingIfNeeded: increment >> 16),
            UInt8(truncatingIfNeeded: increment >> 8), UInt8(truncatingIfNeeded: increment),
        ])
    }
}
