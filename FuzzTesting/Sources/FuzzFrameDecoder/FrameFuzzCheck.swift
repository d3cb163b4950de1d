import PortalRPC

// The FuzzFrameDecoder check. This file exists twice, byte for byte:
// FuzzTesting/Sources/FuzzFrameDecoder/FrameFuzzCheck.swift (the fuzzer) and
// Tests/PortalRPCTests/FrameFuzzCheck.swift (replayed by `swift test`, which cannot depend on
// the FuzzTesting package). FrameFuzzRegressionTests fails if the copies differ: change both.
//
// Input: byte 0 picks the limits, byte 1 (low 4 bits) says how many chunk-size bytes follow,
// then those bytes, then the bytes the peer sends:
//
//   byte 0, bits 0-2: max frame size 4 MiB (the default), 16 384 (the protocol minimum),
//                     1 024, 256, 64, 16, 1 or 0 (so oversize frames fit in small inputs)
//           bits 3-4: server limits: the defaults (`ServerConfiguration()`); tiny (2 streams,
//                     48-byte CALLs, 64 bytes of CALLs per connection, windows of 8 and 32
//                     bytes); tiny windows only; the defaults with the server draining
//           bit 5:    client side: no preface, `nextFrame()` (oversize MESSAGEs throw); no
//                     connection model
//   chunk sizes:      the stream is appended in chunks of these sizes, cycled (0: all the
//                     rest); none: in one piece
//
// What is checked (`frameFuzzCheck` returns the first violation, nil if none):
//  1. The stream is decoded three times by `FrameDecoder` (delivered whole, in the chunks,
//     and one byte at a time), draining events after every append as the connections do.
//     Each run must give exactly the events and the final error of `FrameFuzzReference`, a
//     plain whole-input decoder written from docs/PROTOCOL.md §1-2: the preface byte by
//     byte (`badPreface` at the first wrong byte), 12-byte headers whose reserved bytes are
//     zero (`reservedBitsSet`), frames up to the maximum, oversize MESSAGEs skipped on the
//     server side (`oversizeMessage`), any other oversize frame `frameTooLarge` from its
//     header alone. Only these three errors exist (`FrameDecodingError` is an enum).
//  2. After every drain the decoder holds fewer than header + max frame size bytes, and
//     `isMidFrame` and `bufferedByteCount` at the end match the reference.
//  3. Fed a byte at a time, each event and the error come at the exact byte that completes
//     them (a header for an oversize frame or a bad header, the last payload byte for a
//     frame): nothing is buffered beyond what a frame needs, and a too-large length is
//     refused before any of its payload arrives.
//  4. Each frame's header re-encodes (`FrameHeader.append(to:)`) to its input bytes.
//  5. Server side: the frames run through `FrameFuzzConnection`, a model of the per-connection
//     rules of `ServerConnection` (handshake, stream-0 types, stream ids, CALL limits,
//     MESSAGE flow control and half-close, CANCEL, WINDOW_UPDATE, PING, GOAWAY, STATUS from a
//     client) — the real one is bound to a socket and an event loop. Every control payload
//     is decoded as its `portal.rpc.v1` message and must round-trip. The model's bookkeeping
//     (windows, held credit, CALL bytes, stream counts) must balance after every frame, and
//     the frames it answers with, written by `FrameEncoder`, must decode again with a
//     client-side `FrameDecoder` to exactly those frames and messages.

/// Checks one fuzz input; nil when everything holds, else what broke.
func frameFuzzCheck(_ input: [UInt8]) -> String? {
    guard input.count >= 2 else { return nil }
    let limits = FrameFuzzLimits(input[0])
    let planCount = Int(input[1] & 0x0F)
    guard input.count >= 2 + planCount else { return nil }
    let plan = input[2..<(2 + planCount)].map { Int($0) }
    let stream = Array(input[(2 + planCount)...])

    let reference = FrameFuzzReference.decode(stream, limits)
    let runs: [(String, [Int])] = [("whole", []), ("chunked \(plan)", plan), ("byte-at-a-time", [1])]
    for (name, sizes) in runs {
        if let problem = frameFuzzIncremental(stream, limits, chunks: sizes, expect: reference, exactTiming: sizes == [1]) {
            return "\(name): \(problem)"
        }
    }
    for (offset, event) in reference.events {
        guard case .frame(let frame) = event else { continue }
        var bytes: [UInt8] = []
        frame.header.append(to: &bytes)
        bytes += frame.payload
        if bytes[...] != stream[offset..<(offset + bytes.count)] {
            return "frame at \(offset) re-encodes to other bytes"
        }
    }
    guard limits.server else { return nil }
    var connection = FrameFuzzConnection(limits)
    for (_, event) in reference.events where !connection.closed {
        connection.receive(event)
        if let problem = connection.problem ?? connection.balanceProblem() { return "connection: \(problem)" }
    }
    if !connection.closed, let error = reference.error { connection.decodingFailed(error) }
    return connection.problem ?? connection.checkOutput()
}

struct FrameFuzzLimits {
    var maxFrameSize: Int
    var server: Bool
    var draining = false
    var configuration = Self.defaults

    /// Made once: `ServerConfiguration()` asks the system for the core count (a file read).
    static let defaults = ServerConfiguration()

    init(_ byte: UInt8) {
        maxFrameSize = [ProtocolConstants.defaultMaxFrameSize, Int(ProtocolConstants.minMaxFrameSize), 1024, 256, 64, 16, 1, 0][Int(byte & 7)]
        server = byte & 0x20 == 0
        configuration.maxFrameSize = maxFrameSize
        switch (byte >> 3) & 3 {
        case 1:
            configuration.maxConcurrentStreams = 2
            configuration.maxMetadataSize = 48
            configuration.maxConnectionMetadataSize = 64
            configuration.initialWindowSize = 8
            configuration.connectionWindowSize = 32
        case 2:
            configuration.initialWindowSize = 8
            configuration.connectionWindowSize = 32
        case 3:
            draining = true
        default:
            break
        }
    }
}

enum FrameFuzzOutcome: Equatable {
    case frame(Frame)
    case oversize(FrameHeader)
}

/// The whole-input decoding the incremental decoder must match.
struct FrameFuzzReference {
    /// Each event with the offset of its first byte.
    var events: [(offset: Int, event: FrameFuzzOutcome)] = []
    /// The error, and how many bytes had to be there for it.
    var error: FrameDecodingError?
    var errorAt = 0
    /// Where each event is complete (its last byte's offset + 1).
    var completeAt: [Int] = []
    var buffered = 0
    var midFrame = false

    static func decode(_ s: [UInt8], _ limits: FrameFuzzLimits) -> FrameFuzzReference {
        var r = FrameFuzzReference()
        var pos = 0
        if limits.server {
            for expected in ProtocolConstants.preface {
                guard pos < s.count else { return r }
                guard s[pos] == expected else {
                    r.error = .badPreface
                    r.errorAt = pos + 1
                    return r
                }
                pos += 1
            }
        }
        let headerSize = ProtocolConstants.headerSize
        while true {
            guard s.count - pos >= headerSize else {
                r.buffered = s.count - pos
                r.midFrame = r.buffered > 0
                return r
            }
            guard s[pos + 10] == 0 && s[pos + 11] == 0 else {
                r.error = .reservedBitsSet
                r.errorAt = pos + headerSize
                return r
            }
            func u32(_ at: Int) -> UInt32 {
                UInt32(s[at]) << 24 | UInt32(s[at + 1]) << 16 | UInt32(s[at + 2]) << 8 | UInt32(s[at + 3])
            }
            var header = FrameHeader(length: 0, stream: u32(pos + 4), type: .settings, flags: FrameFlags(rawValue: s[pos + 9]))
            header.length = u32(pos)
            header.typeByte = s[pos + 8]
            let length = Int(header.length)
            if length > limits.maxFrameSize {
                guard limits.server, header.typeByte == FrameType.message.rawValue else {
                    r.error = .frameTooLarge(length: header.length, limit: limits.maxFrameSize)
                    r.errorAt = pos + headerSize
                    return r
                }
                r.events.append((pos, .oversize(header)))
                r.completeAt.append(pos + headerSize)
                pos += headerSize
                guard s.count - pos >= length else {
                    r.midFrame = true  // skipping the rest
                    return r
                }
                pos += length
                continue
            }
            guard s.count - pos >= headerSize + length else {
                r.buffered = s.count - pos
                r.midFrame = true
                return r
            }
            let payload = Array(s[(pos + headerSize)..<(pos + headerSize + length)])
            r.events.append((pos, .frame(Frame(header: header, payload: payload))))
            pos += headerSize + length
            r.completeAt.append(pos)
        }
    }
}

/// Feeds `stream` to a `FrameDecoder` in chunks of `chunks` (cycled; 0 = the rest, none = all
/// at once), draining after each append, and compares with the reference.
func frameFuzzIncremental(
    _ stream: [UInt8], _ limits: FrameFuzzLimits, chunks: [Int], expect r: FrameFuzzReference, exactTiming: Bool
) -> String? {
    var decoder = FrameDecoder(maxFrameSize: limits.maxFrameSize, expectPreface: limits.server)
    var events: [FrameFuzzOutcome] = []
    var error: FrameDecodingError?
    var fed = 0
    var chunk = 0
    let bound = ProtocolConstants.headerSize + limits.maxFrameSize
    feeding: while true {
        var size = chunks.isEmpty ? stream.count - fed : chunks[chunk % chunks.count]
        chunk += 1
        if size == 0 || size > stream.count - fed { size = stream.count - fed }
        stream.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[fed..<(fed + size)])) }
        fed += size
        while true {
            do {
                if limits.server {
                    guard let event = try decoder.nextEvent() else { break }
                    switch event {
                    case .frame(let f): events.append(.frame(f))
                    case .oversizeMessage(let h): events.append(.oversize(h))
                    }
                } else {
                    guard let frame = try decoder.nextFrame() else { break }
                    events.append(.frame(frame))
                }
            } catch let e {
                error = e
                if exactTiming && fed != r.errorAt { return "\(e) after \(fed) bytes, expected after \(r.errorAt)" }
                break feeding
            }
            if exactTiming, events.count <= r.completeAt.count, fed != r.completeAt[events.count - 1] {
                return "event \(events.count - 1) after \(fed) bytes, expected after \(r.completeAt[events.count - 1])"
            }
        }
        if decoder.bufferedByteCount >= bound {
            return "holds \(decoder.bufferedByteCount) bytes between frames (limit \(bound - 1))"
        }
        if fed == stream.count { break }
    }
    if events.count != r.events.count || zip(events, r.events).contains(where: { $0 != $1.event }) {
        return "\(events.count) events, the reference has \(r.events.count) (or they differ)"
    }
    if error != r.error { return "ends with \(String(describing: error)), the reference with \(String(describing: r.error))" }
    if error == nil {
        if decoder.isMidFrame != r.midFrame { return "isMidFrame \(decoder.isMidFrame), expected \(r.midFrame)" }
        if decoder.bufferedByteCount != r.buffered { return "buffers \(decoder.bufferedByteCount) bytes, expected \(r.buffered)" }
    }
    return nil
}

/// Decodes `payload` as `M`; a message that decodes must encode, decode to an equal message,
/// and encode to the same bytes again. nil: the payload does not decode.
func frameFuzzDecode<M: ProtoMessage>(_ type: M.Type, _ payload: [UInt8], problem: inout String?) -> M? {
    guard let m = try? M(serializedBytes: payload) else { return nil }
    let bytes = m.serializedBytes(deterministic: true)
    if bytes.count != m.encodedSize {
        problem = problem ?? "\(M.protoMessageName): encodedSize \(m.encodedSize) but \(bytes.count) bytes"
    }
    guard let again = try? M(serializedBytes: bytes) else {
        problem = problem ?? "\(M.protoMessageName): our encoding does not decode"
        return m
    }
    if again != m || again.serializedBytes(deterministic: true) != bytes {
        problem = problem ?? "\(M.protoMessageName): decode(encode(x)) != x"
    }
    return m
}

/// A model of `ServerConnection`'s per-connection rules (Sources/PortalRPC/Server/
/// ServerConnection*.swift, docs/PROTOCOL.md): the same checks in the same order, with
/// handlers that finish at once (a unary call echoes its request; a streaming call consumes
/// and echoes each message and ends at the half-close). Routes: `/u` and Health/Check are
/// unary, `/s` and Health/Watch streaming.
struct FrameFuzzConnection {
    struct Stream {
        var id: UInt32
        var unary: Bool
        var callBytes: Int
        var halfClosed = false
        var unaryRequest: [UInt8]?
        var heldCredit = 0
        var receiveWindow: Int
        var ungranted = 0
        var sendWindow: Int
        /// Messages waiting for send credit, then the status (nil: a message).
        var blocked: [(message: [UInt8]?, status: Status?)] = []
        var statusSent = false
    }

    static let unaryRoutes: Set<String> = ["/u", "/grpc.health.v1.Health/Check"]
    static let streamingRoutes: Set<String> = ["/s", "/grpc.health.v1.Health/Watch"]

    let config: ServerConfiguration
    var handshakeDone = false
    var draining: Bool
    var closed = false
    var lastStreamID: UInt32 = 0
    var streams: [UInt32: Stream] = [:]
    var heldCallBytes = 0
    var peerInitialWindow = ProtocolConstants.defaultInitialWindowSize
    var peerMaxFrameSize = ProtocolConstants.defaultMaxFrameSize
    var connectionSendWindow = ProtocolConstants.defaultConnectionWindowSize
    var connectionReceiveWindow: Int
    var connectionUngranted = 0
    /// What the server wrote, and the frames it meant to write.
    var output = FrameEncoder()
    var sent: [Frame] = []
    var problem: String?

    init(_ limits: FrameFuzzLimits) {
        config = limits.configuration
        draining = limits.draining
        connectionReceiveWindow = config.connectionWindowSize
    }

    // MARK: Receiving

    mutating func receive(_ event: FrameFuzzOutcome) {
        switch event {
        case .oversize(let header):
            // The decoder only reports MESSAGEs this way; `ServerConnection.rejectOversize`.
            let id = header.stream
            guard id != 0 && id <= lastStreamID else {
                return goAway(.invalidArgument, "MESSAGE for stream \(id), which was never opened")
            }
            guard connectionReceiveWindow > 0 else {
                return goAway(.resourceExhausted, "connection flow-control window exceeded")
            }
            connectionReceiveWindow -= Int(header.length)
            returnDropped(Int(header.length))
            guard let s = streams[id] else { return }
            finish(s.id, Status(code: .resourceExhausted, message: "message of \(header.length) bytes exceeds the limit of \(config.maxFrameSize)"), dropQueued: true)
        case .frame(let frame):
            handle(frame)
        }
    }

    /// `processFrames`' answer to a decoding error.
    mutating func decodingFailed(_ error: FrameDecodingError) {
        if case .frameTooLarge = error {
            goAway(.resourceExhausted, "\(error)")
        } else {
            goAway(.invalidArgument, "\(error)")
        }
    }

    mutating func handle(_ frame: Frame) {
        let h = frame.header
        guard handshakeDone || h.type == .settings else { return goAway(.invalidArgument, "the first frame must be SETTINGS") }
        guard let type = h.type else { return goAway(.invalidArgument, "unknown frame type \(h.typeByte)") }
        if [.settings, .ping, .goAway].contains(type) && h.stream != 0 {
            return goAway(.invalidArgument, "\(type) frame on stream \(h.stream)")
        }
        switch type {
        case .settings: settings(frame)
        case .call: call(frame)
        case .message: message(frame)
        case .cancel:
            if let s = streams[h.stream] { finish(s.id, Status(code: .cancelled, message: "cancelled by the client"), dropQueued: true) }
        case .windowUpdate: windowUpdate(frame)
        case .ping:
            // No keepalive PING is outstanding in the model, so every ACK is ignored.
            guard !h.flags.contains(.ack) else { return }
            guard frame.payload.count == 8 else { return goAway(.invalidArgument, "PING payload must be 8 bytes") }
            send(.ping, stream: 0, flags: .ack, payload: frame.payload)
        case .goAway:
            _ = frameFuzzDecode(Portal_Rpc_V1_GoAway.self, frame.payload, problem: &problem)
            draining = true
            closeIfDrained()
        case .status:
            _ = frameFuzzDecode(Portal_Rpc_V1_Status.self, frame.payload, problem: &problem)
            goAway(.invalidArgument, "STATUS frames are sent only by servers")
        }
    }

    mutating func settings(_ frame: Frame) {
        if frame.header.flags.contains(.ack) { return }
        guard let settings = frameFuzzDecode(Portal_Rpc_V1_Settings.self, frame.payload, problem: &problem) else {
            return goAway(.invalidArgument, "SETTINGS payload does not decode")
        }
        if settings.maxFrameSize > 0 {
            guard settings.maxFrameSize >= ProtocolConstants.minMaxFrameSize else {
                return goAway(.invalidArgument, "max_frame_size below \(ProtocolConstants.minMaxFrameSize)")
            }
            peerMaxFrameSize = Int(settings.maxFrameSize)
        }
        if settings.initialWindowSize > 0 { peerInitialWindow = Int(settings.initialWindowSize) }
        guard !handshakeDone else { return }
        handshakeDone = true
        var ours = Portal_Rpc_V1_Settings()
        ours.maxFrameSize = UInt32(config.maxFrameSize)
        ours.maxConcurrentStreams = UInt32(config.maxConcurrentStreams)
        ours.initialWindowSize = UInt32(config.initialWindowSize)
        ours.maxMetadataSize = UInt32(config.maxMetadataSize)
        send(.settings, stream: 0, payload: ours.serializedBytes())
        let extra = config.connectionWindowSize - ProtocolConstants.defaultConnectionWindowSize
        if extra > 0 { sendWindowUpdate(stream: 0, UInt32(extra)) }
    }

    mutating func call(_ frame: Frame) {
        let id = frame.header.stream
        guard id % 2 == 1 else { return goAway(.invalidArgument, "CALL on stream \(id); client streams are odd") }
        guard id > lastStreamID else { return goAway(.invalidArgument, "stream \(id) is not above the last stream \(lastStreamID)") }
        lastStreamID = id
        let size = frame.payload.count
        if draining { return sendStatus(id, Status(code: .unavailable, message: "server is draining; retry on a new connection")) }
        guard size <= config.maxMetadataSize else { return sendStatus(id, Status(code: .resourceExhausted, message: "CALL too large")) }
        guard heldCallBytes + size <= config.maxConnectionMetadataSize else {
            return sendStatus(id, Status(code: .resourceExhausted, message: "open calls hold too much metadata"))
        }
        guard streams.count < config.maxConcurrentStreams else {
            return sendStatus(id, Status(code: .resourceExhausted, message: "more than \(config.maxConcurrentStreams) concurrent streams"))
        }
        guard let call = frameFuzzDecode(Portal_Rpc_V1_Call.self, frame.payload, problem: &problem) else {
            return sendStatus(id, Status(code: .invalidArgument, message: "CALL payload does not decode"))
        }
        let unary = Self.unaryRoutes.contains(call.method)
        guard unary || Self.streamingRoutes.contains(call.method) else {
            return sendStatus(id, Status(code: .unimplemented, message: "unknown method \(call.method)"))
        }
        streams[id] = Stream(id: id, unary: unary, callBytes: size,
                             receiveWindow: config.initialWindowSize, sendWindow: peerInitialWindow)
        heldCallBytes += size
        if frame.header.flags.contains(.endStream) { halfClose(id) }
    }

    mutating func message(_ frame: Frame) {
        let id = frame.header.stream
        guard id != 0 && id <= lastStreamID else {
            return goAway(.invalidArgument, "MESSAGE for stream \(id), which was never opened")
        }
        // Every MESSAGE on an opened stream counts against the connection window; one that
        // no handler reads has its credit returned at once.
        let size = frame.payload.count
        guard connectionReceiveWindow > 0 || size == 0 else {
            return goAway(.resourceExhausted, "connection flow-control window exceeded")
        }
        connectionReceiveWindow -= size
        guard var s = streams[id] else { return returnDropped(size) }
        guard !s.halfClosed else {
            finish(id, Status(code: .invalidArgument, message: "MESSAGE after the client's half-close"), dropQueued: true)
            return returnDropped(size)
        }
        let flags = frame.header.flags
        if flags.contains(.empty) {
            guard flags.contains(.endStream), frame.payload.isEmpty else {
                return goAway(.invalidArgument, "EMPTY requires END_STREAM and no payload")
            }
            return halfClose(id)
        }
        guard s.receiveWindow > 0 || size == 0 else {
            finish(id, Status(code: .resourceExhausted, message: "stream flow-control window exceeded"), dropQueued: true)
            return returnDropped(size)
        }
        s.receiveWindow -= size
        if s.unary {
            guard s.unaryRequest == nil else {
                streams[id] = s
                finish(id, Status(code: .invalidArgument, message: "a unary call takes exactly one request message"), dropQueued: true)
                return returnDropped(size)
            }
            s.unaryRequest = frame.payload
            s.heldCredit = size
            streams[id] = s
        } else {
            streams[id] = s
            // The streaming handler takes the message at once (credit back) and echoes it.
            grant(stream: id, size)
            if streams[id]?.statusSent == false { send(id, message: frame.payload) }
        }
        if flags.contains(.endStream), streams[id] != nil { halfClose(id) }
    }

    /// `ServerConnection.returnDropped`.
    mutating func returnDropped(_ size: Int) {
        if size > 0 { grant(stream: nil, size) }
    }

    mutating func halfClose(_ id: UInt32) {
        guard var s = streams[id] else { return }
        s.halfClosed = true
        streams[id] = s
        if s.unary {
            guard let request = s.unaryRequest else {
                return finish(id, Status(code: .invalidArgument, message: "the call carried no request message"), dropQueued: true)
            }
            streams[id]?.unaryRequest = nil
            releaseHeldCredit(id)
            // The handler answers at once: its request back, then OK.
            send(id, message: request)
            finish(id, .ok, dropQueued: false)
        } else {
            finish(id, .ok, dropQueued: false)
        }
    }

    mutating func windowUpdate(_ frame: Frame) {
        let p = frame.payload
        guard p.count == 4 else { return goAway(.invalidArgument, "WINDOW_UPDATE payload must be 4 bytes") }
        let increment = Int(UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3]))
        guard increment > 0 else { return goAway(.invalidArgument, "WINDOW_UPDATE increment must be positive") }
        if frame.header.stream == 0 {
            guard connectionSendWindow + increment <= Int(Int32.max) else { return goAway(.invalidArgument, "connection window above 2^31-1") }
            connectionSendWindow += increment
            for id in streams.keys.sorted() where streams[id]?.blocked.isEmpty == false { drainBlocked(id) }
        } else if let s = streams[frame.header.stream] {
            guard s.sendWindow + increment <= Int(Int32.max) else {
                return finish(s.id, Status(code: .invalidArgument, message: "stream window above 2^31-1"), dropQueued: true)
            }
            streams[s.id]?.sendWindow += increment
            drainBlocked(s.id)
        }
    }

    // MARK: Sending

    mutating func send(_ id: UInt32, message: [UInt8]) {
        streams[id]?.blocked.append((message, nil))
        drainBlocked(id)
    }

    mutating func drainBlocked(_ id: UInt32) {
        guard var s = streams[id] else { return }
        var sentCount = 0
        queue: for item in s.blocked {
            if let bytes = item.message {
                guard bytes.count <= peerMaxFrameSize else {
                    s.blocked.removeFirst(sentCount + 1)
                    streams[id] = s
                    return finish(id, Status(code: .resourceExhausted, message: "response exceeds the client's max_frame_size"), dropQueued: true)
                }
                guard s.sendWindow > 0 && connectionSendWindow > 0 else { break queue }
                send(.message, stream: id, payload: bytes)
                s.sendWindow -= bytes.count
                connectionSendWindow -= bytes.count
            } else if let status = item.status {
                appendStatus(id, status)
            }
            sentCount += 1
        }
        s.blocked.removeFirst(sentCount)
        streams[id] = s
        if s.statusSent && s.blocked.isEmpty { retire(id) }
    }

    mutating func finish(_ id: UInt32, _ status: Status, dropQueued: Bool) {
        guard var s = streams[id], !s.statusSent else { return }
        s.statusSent = true
        if dropQueued { s.blocked.removeAll() }
        s.blocked.append((nil, status))
        streams[id] = s
        drainBlocked(id)
    }

    mutating func retire(_ id: UInt32) {
        guard let s = streams.removeValue(forKey: id) else { return }
        heldCallBytes -= s.callBytes
        if s.heldCredit > 0 { grant(stream: nil, s.heldCredit) }
        closeIfDrained()
    }

    mutating func releaseHeldCredit(_ id: UInt32) {
        guard let held = streams[id]?.heldCredit, held > 0 else { return }
        streams[id]?.heldCredit = 0
        grant(stream: nil, held)
    }

    /// `ServerConnection.grant`, with `CreditLedger`'s batching (a quarter of the window).
    mutating func grant(stream id: UInt32?, _ bytes: Int) {
        guard !closed else { return }
        connectionReceiveWindow += bytes
        connectionUngranted += bytes
        if connectionUngranted >= config.connectionWindowSize / 4 {
            sendWindowUpdate(stream: 0, UInt32(clamping: connectionUngranted))
            connectionUngranted = 0
        }
        guard let id, var s = streams[id], !s.halfClosed else { return }
        s.receiveWindow += bytes
        s.ungranted += bytes
        if s.ungranted >= config.initialWindowSize / 4 {
            sendWindowUpdate(stream: id, UInt32(clamping: s.ungranted))
            s.ungranted = 0
        }
        streams[id] = s
    }

    mutating func closeIfDrained() {
        if draining && streams.isEmpty { closed = true }
    }

    mutating func goAway(_ code: Status.Code, _ message: String) {
        var g = Portal_Rpc_V1_GoAway()
        g.lastStream = lastStreamID
        g.code = UInt32(code.rawValue)
        g.message = message
        send(.goAway, stream: 0, payload: g.serializedBytes())
        draining = true
        closed = true
    }

    mutating func sendStatus(_ id: UInt32, _ status: Status) { appendStatus(id, status) }

    mutating func appendStatus(_ id: UInt32, _ status: Status) {
        var s = Portal_Rpc_V1_Status()
        s.code = UInt32(status.code.rawValue)
        s.message = Self.truncated(status.message)
        // Through the message overload of FrameEncoder, which encodes in place.
        output.append(.status, stream: id, message: s)
        sent.append(Frame(header: FrameHeader(length: s.encodedSize, stream: id, type: .status), payload: s.serializedBytes()))
    }

    mutating func sendWindowUpdate(stream id: UInt32, _ increment: UInt32) {
        output.appendWindowUpdate(stream: id, increment: increment)
        let bytes = withUnsafeBytes(of: increment.bigEndian, Array.init)
        sent.append(Frame(header: FrameHeader(length: 4, stream: id, type: .windowUpdate), payload: bytes))
    }

    mutating func send(_ type: FrameType, stream id: UInt32, flags: FrameFlags = [], payload: [UInt8]) {
        output.append(type, stream: id, flags: flags, payload: payload)
        sent.append(Frame(header: FrameHeader(length: payload.count, stream: id, type: type, flags: flags), payload: payload))
    }

    /// `ServerConnection.truncated`: STATUS messages are at most 1 024 bytes.
    static func truncated(_ message: String, limit: Int = 1024) -> String {
        guard message.utf8.count > limit else { return message }
        var out = ""
        for ch in message {
            if out.utf8.count + ch.utf8.count > limit - 3 { break }
            out.append(ch)
        }
        return out + "..."
    }

    // MARK: Checks

    /// The bookkeeping that must balance after every frame.
    func balanceProblem() -> String? {
        let held = streams.values.reduce(0) { $0 + $1.heldCredit }
        // (Once closed, nothing is granted any more: a GOAWAY may follow a counted MESSAGE.)
        if !closed && connectionReceiveWindow + held != config.connectionWindowSize {
            return "connection window \(connectionReceiveWindow) + held credit \(held) != \(config.connectionWindowSize) (credit lost)"
        }
        if heldCallBytes != streams.values.reduce(0, { $0 + $1.callBytes }) || heldCallBytes > config.maxConnectionMetadataSize {
            return "CALL bytes \(heldCallBytes) do not match the open streams or exceed the limit"
        }
        if streams.count > config.maxConcurrentStreams { return "\(streams.count) open streams" }
        for s in streams.values {
            if s.id % 2 == 0 || s.id > lastStreamID { return "stream \(s.id) open above the last stream \(lastStreamID) or even" }
            if s.receiveWindow > config.initialWindowSize || s.receiveWindow <= -max(config.maxFrameSize, 1) {
                return "stream \(s.id) receive window \(s.receiveWindow)"
            }
            if s.statusSent != s.blocked.contains(where: { $0.status != nil }) { return "stream \(s.id) status bookkeeping" }
        }
        if connectionReceiveWindow <= -max(config.maxFrameSize, 1) { return "connection receive window \(connectionReceiveWindow)" }
        return nil
    }

    /// What the server wrote decodes, with the client's decoder, to exactly the frames meant.
    func checkOutput() -> String? {
        var client = FrameDecoder(maxFrameSize: Int(UInt32.max), expectPreface: false)
        client.append(output.bytes)
        var frames: [Frame] = []
        do {
            while let f = try client.nextFrame() { frames.append(f) }
        } catch {
            return "the server's output does not decode: \(error)"
        }
        if client.bufferedByteCount != 0 { return "\(client.bufferedByteCount) bytes of output left over" }
        if frames != sent { return "the server's output decodes to other frames than were written" }
        var problem: String?
        for f in frames {
            switch f.header.type {
            case .status?: if frameFuzzDecode(Portal_Rpc_V1_Status.self, f.payload, problem: &problem) == nil { return "own STATUS does not decode" }
            case .goAway?: if frameFuzzDecode(Portal_Rpc_V1_GoAway.self, f.payload, problem: &problem) == nil { return "own GOAWAY does not decode" }
            case .settings?: if frameFuzzDecode(Portal_Rpc_V1_Settings.self, f.payload, problem: &problem) == nil { return "own SETTINGS does not decode" }
            default: break
            }
        }
        return problem
    }
}
