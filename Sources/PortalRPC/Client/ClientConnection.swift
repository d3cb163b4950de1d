#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem
import PortalModel

/// One connection to a server, confined to the client's event loop.
///
/// Loop-confined: its stored properties are `@exclusivity(unchecked)`, as `EventLoop` explains.
final class ClientConnection: EventHandler, @unchecked Sendable {
    // @unchecked: confined to `loop`'s thread; callers reach it through `loop.execute`.
    let fd: Int32
    let loop: EventLoop
    let config: ClientConfiguration
    @exclusivity(unchecked) var decoder: FrameDecoder
    @exclusivity(unchecked) var output = FrameEncoder()
    @exclusivity(unchecked) var streams = StreamTable<ClientStream>()
    @exclusivity(unchecked) var nextStreamID: UInt32 = 1
    /// The TCP handshake finished (first writable event without SO_ERROR).
    @exclusivity(unchecked) var tcpConnected = false
    /// The server's SETTINGS arrived: calls may flow.
    @exclusivity(unchecked) var connected = false
    @exclusivity(unchecked) var closed = false
    /// GOAWAY received: no new calls here; streams above `goAwayLast` failed as UNAVAILABLE.
    @exclusivity(unchecked) var goingAway = false
    @exclusivity(unchecked) var flushScheduled = false
    @exclusivity(unchecked) var writeInterest = false
    @exclusivity(unchecked) var peerInitialWindow = ProtocolConstants.defaultInitialWindowSize
    @exclusivity(unchecked) var connectionSendWindow = ProtocolConstants.defaultConnectionWindowSize
    lazy var connectionCredit = CreditLedger(window: config.connectionWindowSize)
    /// Called once when the connection is usable, or failed to connect.
    @exclusivity(unchecked) var onConnect: ((Result<Void, RPCError>) -> Void)?
    @exclusivity(unchecked) var onClose: (() -> Void)?

    init(fd: Int32, loop: EventLoop, config: ClientConfiguration) {
        self.fd = fd
        self.loop = loop
        self.config = config
        self.decoder = FrameDecoder(maxFrameSize: config.maxFrameSize, expectPreface: false)
    }

    /// Opens a non-blocking connection; `onConnect` reports the outcome.
    static func connect(to address: SocketAddress, loop: EventLoop, config: ClientConfiguration) throws -> ClientConnection {
        let family = address.host.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        do {
            try address.withSockAddr { sa, len in
                if Glibc.connect(fd, sa, len) != 0 && errno != EINPROGRESS {
                    throw SystemError(call: "connect(\(address))", errno: errno)
                }
            }
        } catch {
            Sys.close(fd)
            throw error
        }
        Sys.setNoDelay(fd)
        return ClientConnection(fd: fd, loop: loop, config: config)
    }

    /// Registers with the loop and sends the preface and SETTINGS once writable.
    func start() throws(SystemError) {
        try loop.register(fd, self, events: CPS_EPOLLIN | CPS_EPOLLOUT | CPS_EPOLLRDHUP)
        writeInterest = true
        output.appendPreface()
        var settings = Portal_Rpc_V1_Settings()
        settings.maxFrameSize = UInt32(config.maxFrameSize)
        settings.initialWindowSize = UInt32(config.initialWindowSize)
        output.append(.settings, stream: 0, message: settings)
        let extra = config.connectionWindowSize - ProtocolConstants.defaultConnectionWindowSize
        if extra > 0 { output.appendWindowUpdate(stream: 0, increment: UInt32(extra)) }
        loop.schedule(after: config.connectTimeout) { [weak self] in
            guard let self, !self.connected, !self.closed else { return }
            self.fail(RPCError(code: .unavailable, message: "connection attempt timed out"))
        }
    }

    var isUsable: Bool { !closed && !goingAway }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        if events & CPS_EPOLLOUT != 0 {
            if !tcpConnected {
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                if err != 0 {
                    fail(RPCError(code: .unavailable, message: "connect failed: \(SystemError(call: "connect", errno: err))"))
                    return
                }
                tcpConnected = true
            }
            flush()
        }
        if events & (CPS_EPOLLIN | CPS_EPOLLHUP | CPS_EPOLLERR | CPS_EPOLLRDHUP) != 0 { readAvailable() }
    }

    private func readAvailable() {
        let chunk = loop.readBuffer
        while !closed {
            let n: Int?
            do {
                n = try Sys.read(fd, chunk)
            } catch {
                fail(RPCError(code: .unavailable, message: "connection lost: \(error)"))
                return
            }
            guard let n else { break }
            if n == 0 {
                fail(RPCError(code: .unavailable, message: "the server closed the connection"))
                return
            }
            decoder.append(UnsafeRawBufferPointer(rebasing: chunk[..<n]))
            do {
                while !closed, let frame = try decoder.nextFrame() { handle(frame) }
            } catch {
                fail(RPCError(code: .internalError, message: "malformed frame from the server: \(error)"))
                return
            }
            if n < chunk.count { break }
        }
    }

    private func handle(_ frame: Frame) {
        let h = frame.header
        switch h.type {
        case .settings?:
            guard !h.flags.contains(.ack), let s = try? Portal_Rpc_V1_Settings(serializedBytes: frame.payload) else { return }
            if s.initialWindowSize > 0 {
                let delta = Int(s.initialWindowSize) - peerInitialWindow
                peerInitialWindow = Int(s.initialWindowSize)
                for stream in streams.values { stream.sendWindow += delta }
            }
            if !connected {
                connected = true
                onConnect?(.success(()))
                onConnect = nil
            }
        case .message?:
            guard let stream = streams[h.stream] else {
                // A late response for a call that ended here (cancelled, deadline): the
                // server counted it against its window, so the credit goes back.
                grant(stream: nil, frame.payload.count)
                return
            }
            stream.receiveWindow -= frame.payload.count
            switch stream.receiver {
            case .single:
                stream.response = frame.payload
                grant(stream: nil, frame.payload.count)
            case .stream(let queue):
                queue.push(frame.payload)
            }
        case .status?:
            guard let stream = streams[h.stream] else { return }
            let status: Status
            if let s = try? Portal_Rpc_V1_Status(serializedBytes: frame.payload) {
                status = Status(code: Status.Code(rawValue: Int(s.code)), message: s.message)
            } else {
                status = Status(code: .internalError, message: "STATUS payload does not decode")
            }
            stream.endedByServer = true
            retire(stream, status)
        case .windowUpdate?:
            let p = frame.payload
            guard p.count == 4 else { return }
            let increment = Int(UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3]))
            if h.stream == 0 {
                connectionSendWindow += increment
                for s in streams.values where !s.blocked.isEmpty { drainBlocked(s) }
            } else if let s = streams[h.stream] {
                s.sendWindow += increment
                drainBlocked(s)
            }
        case .ping?:
            if !h.flags.contains(.ack) && frame.payload.count == 8 {
                output.append(.ping, stream: 0, flags: .ack, payload: frame.payload)
                scheduleFlush()
            }
        case .goAway?:
            goingAway = true
            let g = try? Portal_Rpc_V1_GoAway(serializedBytes: frame.payload)
            let last = g?.lastStream ?? 0
            for (id, stream) in streams.entries where id > last {
                retire(stream, Status(code: .unavailable, message: "the server is going away (\(g?.message ?? "GOAWAY")); not processed"))
            }
            if streams.isEmpty { close() }
        default:
            break
        }
    }

    func retire(_ stream: ClientStream, _ status: Status) {
        if let t = stream.deadlineTimer { loop.cancelTimer(t) }
        streams[stream.id] = nil
        stream.complete(status)
        if goingAway && streams.isEmpty { close() }
    }

    /// Fails every call and closes: the connection is unusable.
    func fail(_ error: RPCError) {
        guard !closed else { return }
        onConnect?(.failure(error))
        onConnect = nil
        for stream in streams.values {
            if let t = stream.deadlineTimer { loop.cancelTimer(t) }
            stream.complete(error.status)
        }
        streams.removeAll()
        close()
    }

    func close() {
        guard !closed else { return }
        closed = true
        flush()
        loop.unregister(fd)
        Sys.close(fd)
        onClose?()
    }
}
