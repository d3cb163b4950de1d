#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem
import PortalModel

/// One client connection: reads frames, runs calls, writes responses. Every method runs on
/// its event loop; handler tasks reach it only through `loop.execute`.
///
/// Loop-confined: its stored properties are `@exclusivity(unchecked)`, as `EventLoop` explains.
final class ServerConnection: EventHandler, @unchecked Sendable {
    // @unchecked: confined to `loop`'s thread (see the type comment).
    let fd: Int32
    let loop: EventLoop
    /// Strong: a loop may still run this after the owner dropped a server it never shut down
    /// (timers, late events); an unowned reference would then crash the process.
    let server: RPCServer
    let peer: String
    @exclusivity(unchecked) var decoder: FrameDecoder
    @exclusivity(unchecked) var output = FrameEncoder()
    @exclusivity(unchecked) var streams = StreamTable<ServerStream>()
    /// CALL payload bytes held by the open calls (bounded by `maxConnectionMetadataSize`).
    @exclusivity(unchecked) var heldCallBytes = 0
    @exclusivity(unchecked) var lastStreamID: UInt32 = 0
    @exclusivity(unchecked) var handshakeDone = false
    @exclusivity(unchecked) var draining = false
    @exclusivity(unchecked) var closed = false
    @exclusivity(unchecked) var flushScheduled = false
    @exclusivity(unchecked) var writeInterest = false
    /// Client's limits from its SETTINGS.
    @exclusivity(unchecked) var peerInitialWindow = ProtocolConstants.defaultInitialWindowSize
    @exclusivity(unchecked) var peerMaxFrameSize = ProtocolConstants.defaultMaxFrameSize
    @exclusivity(unchecked) var connectionSendWindow = ProtocolConstants.defaultConnectionWindowSize
    @exclusivity(unchecked) var connectionReceiveWindow: Int
    @exclusivity(unchecked) var connectionCredit: CreditLedger
    /// The handshake timer, then the idle timer. The idle timer is armed when the connection
    /// goes idle and, when it fires, re-armed for `idleSince + idleTimeout` if calls came and
    /// went meanwhile: a call costs no timer of its own.
    @exclusivity(unchecked) var idleTimer: TimerQueue.ID?
    /// Since when no call has been open (nil while calls are open, or before the handshake).
    @exclusivity(unchecked) var idleSince: ContinuousClock.Instant?
    @exclusivity(unchecked) var lastHeard = ContinuousClock.now
    @exclusivity(unchecked) var keepaliveTimer: TimerQueue.ID?
    @exclusivity(unchecked) var keepaliveAwaited: [UInt8]?
    /// Frames decoded so far (tells the partial-frame check that a new frame began).
    @exclusivity(unchecked) var framesDecoded = 0
    /// Since when the decoder has held an incomplete frame (after the handshake), and the
    /// timer that ends the connection if it stays incomplete (slowloris).
    @exclusivity(unchecked) var partialSince: ContinuousClock.Instant?
    @exclusivity(unchecked) var partialTimer: TimerQueue.ID?
    /// Reading stops while too much output waits for the client (see `readPauseThreshold`).
    @exclusivity(unchecked) var readPaused = false
    /// When the socket last accepted bytes while output was waiting, and the timer that drops
    /// a client whose socket accepts none for `writeStallTimeout`.
    @exclusivity(unchecked) var lastWriteProgress = ContinuousClock.now
    @exclusivity(unchecked) var writeStallTimer: TimerQueue.ID?

    var config: ServerConfiguration { server.configuration }

    init(fd: Int32, loop: EventLoop, server: RPCServer) {
        self.fd = fd
        self.loop = loop
        self.server = server
        self.peer = SocketAddress.of(fd, peer: true)?.description ?? "unknown"
        self.decoder = FrameDecoder(maxFrameSize: server.configuration.maxFrameSize, expectPreface: true)
        self.connectionReceiveWindow = server.configuration.connectionWindowSize
        self.connectionCredit = CreditLedger(window: server.configuration.connectionWindowSize)
    }

    func start() throws(SystemError) {
        try loop.register(fd, self, events: CPS_EPOLLIN | CPS_EPOLLRDHUP)
        idleTimer = loop.schedule(after: config.handshakeTimeout) { [weak self] in
            guard let self, !self.handshakeDone else { return }
            self.goAway(code: .unavailable, message: "no preface and SETTINGS within the handshake timeout", close: true)
        }
    }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        if events & CPS_EPOLLOUT != 0 { flush() }
        // While reading is paused only EPOLLOUT is asked for, but HUP and ERR always come:
        // reading then finds the error or the end and closes.
        if events & (CPS_EPOLLIN | CPS_EPOLLHUP | CPS_EPOLLERR | CPS_EPOLLRDHUP) != 0 { readAvailable() }
    }

    private func readAvailable() {
        let chunk = loop.readBuffer
        var now = lastHeard
        let framesBefore = framesDecoded
        while !closed {
            let n: Int?
            do {
                n = try Sys.read(fd, chunk)
            } catch {
                close()
                return
            }
            guard let n else { break }  // drained
            if n == 0 {
                close()
                return
            }
            now = .now
            lastHeard = now
            decoder.append(UnsafeRawBufferPointer(rebasing: chunk[..<n]))
            processFrames()
            // Answers pile up faster than the client takes them: stop here; flush() pauses
            // reading until they drain (level-triggered, so nothing unread is lost).
            if output.count > config.readPauseThreshold { break }
            if n < chunk.count { break }
        }
        if !closed && handshakeDone { trackPartialFrame(now: now, newFrames: framesDecoded != framesBefore) }
    }

    /// Starts, keeps or clears the clock of the frame the decoder holds incomplete.
    private func trackPartialFrame(now: ContinuousClock.Instant, newFrames: Bool) {
        guard let timeout = config.partialFrameTimeout else { return }
        guard decoder.isMidFrame else {
            partialSince = nil
            return
        }
        if partialSince == nil || newFrames { partialSince = now }
        if partialTimer == nil { armPartialFrameTimer(at: partialSince! + timeout, timeout) }
    }

    private func armPartialFrameTimer(at deadline: ContinuousClock.Instant, _ timeout: Duration) {
        partialTimer = loop.schedule(at: deadline) { [weak self] in
            guard let self else { return }
            self.partialTimer = nil
            guard !self.closed, let since = self.partialSince else { return }
            let now = ContinuousClock.now
            if self.readPaused {
                // We stopped reading, not the client; the write-stall timer watches this case.
                self.partialSince = now
                self.armPartialFrameTimer(at: now + timeout, timeout)
            } else if now - since >= timeout {
                self.goAway(code: .unavailable, message: "a frame stayed incomplete for more than \(timeout)", close: true)
            } else {
                self.armPartialFrameTimer(at: since + timeout, timeout)
            }
        }
    }

    private func processFrames() {
        while !closed {
            let event: FrameEvent?
            do {
                event = try decoder.nextEvent()
            } catch .frameTooLarge(let length, let limit) {
                goAway(code: .resourceExhausted, message: "frame of \(length) bytes exceeds the limit of \(limit)", close: true)
                return
            } catch {
                goAway(code: .invalidArgument, message: error.description, close: true)
                return
            }
            guard let event else { return }
            framesDecoded &+= 1
            switch event {
            case .frame(let frame): handle(frame)
            case .oversizeMessage(let header): rejectOversize(header)
            }
        }
    }

    // MARK: Frame dispatch

    private func handle(_ frame: Frame) {
        let h = frame.header
        guard handshakeDone || h.type == .settings else {
            goAway(code: .invalidArgument, message: "the first frame must be SETTINGS", close: true)
            return
        }
        guard let type = h.type else {
            goAway(code: .invalidArgument, message: "unknown frame type \(h.typeByte)", close: true)
            return
        }
        if [.settings, .ping, .goAway].contains(type) && h.stream != 0 {
            goAway(code: .invalidArgument, message: "\(type) frame on stream \(h.stream); it belongs on stream 0", close: true)
            return
        }
        switch type {
        case .settings: handleSettings(frame)
        case .call: handleCall(frame)
        case .message: handleMessage(frame)
        case .cancel: handleCancel(h.stream)
        case .windowUpdate: handleWindowUpdate(frame)
        case .ping:
            if h.flags.contains(.ack), frame.payload == keepaliveAwaited {
                // Answered: the next PING follows the next interval of silence, not the
                // timeout that was waiting for this answer.
                keepaliveAwaited = nil
                if let timer = keepaliveTimer { loop.cancelTimer(timer) }
                scheduleKeepalive()
            } else if !h.flags.contains(.ack) {
                guard frame.payload.count == 8 else {
                    goAway(code: .invalidArgument, message: "PING payload must be 8 bytes", close: true)
                    return
                }
                output.append(.ping, stream: 0, flags: .ack, payload: frame.payload)
                scheduleFlush()
            }
        case .goAway:
            draining = true  // the client opens no more streams; close once ours are done
            closeIfDrained()
        case .status:
            goAway(code: .invalidArgument, message: "STATUS frames are sent only by servers", close: true)
        }
    }

    private func handleSettings(_ frame: Frame) {
        if frame.header.flags.contains(.ack) { return }
        guard let settings = try? Portal_Rpc_V1_Settings(serializedBytes: frame.payload) else {
            goAway(code: .invalidArgument, message: "SETTINGS payload does not decode", close: true)
            return
        }
        if settings.maxFrameSize > 0 {
            guard settings.maxFrameSize >= ProtocolConstants.minMaxFrameSize else {
                goAway(code: .invalidArgument, message: "max_frame_size below \(ProtocolConstants.minMaxFrameSize)", close: true)
                return
            }
            peerMaxFrameSize = Int(settings.maxFrameSize)
        }
        if settings.initialWindowSize > 0 { peerInitialWindow = Int(settings.initialWindowSize) }
        guard !handshakeDone else { return }
        handshakeDone = true
        if let t = idleTimer { loop.cancelTimer(t) }  // the handshake timer
        idleTimer = nil
        var ours = Portal_Rpc_V1_Settings()
        ours.maxFrameSize = UInt32(config.maxFrameSize)
        ours.maxConcurrentStreams = UInt32(config.maxConcurrentStreams)
        ours.initialWindowSize = UInt32(config.initialWindowSize)
        ours.maxMetadataSize = UInt32(config.maxMetadataSize)
        output.append(.settings, stream: 0, message: ours)
        // The connection window beyond the protocol default is granted up front.
        let extra = config.connectionWindowSize - ProtocolConstants.defaultConnectionWindowSize
        if extra > 0 { output.appendWindowUpdate(stream: 0, increment: UInt32(extra)) }
        scheduleFlush()
        resetIdleTimer()
        scheduleKeepalive()
    }

    // MARK: Keepalive

    /// Every `keepaliveInterval` of silence, PING the client; no ACK in time drops it.
    func scheduleKeepalive() {
        guard let interval = config.keepaliveInterval, !closed else { return }
        keepaliveTimer = loop.schedule(at: lastHeard + interval) { [weak self] in
            guard let self, !self.closed else { return }
            if ContinuousClock.now - self.lastHeard < interval {
                self.scheduleKeepalive()
                return
            }
            let token = withUnsafeBytes(of: UInt64(truncatingIfNeeded: ContinuousClock.now.hashValue).bigEndian, Array.init)
            self.keepaliveAwaited = token
            self.output.append(.ping, stream: 0, payload: token)
            self.scheduleFlush()
            self.keepaliveTimer = self.loop.schedule(after: self.config.keepaliveTimeout) { [weak self] in
                guard let self, !self.closed else { return }
                if self.keepaliveAwaited == token {
                    self.close()  // no answer: the peer is gone
                } else {
                    self.scheduleKeepalive()
                }
            }
        }
    }

    private func handleWindowUpdate(_ frame: Frame) {
        let p = frame.payload
        guard p.count == 4 else {
            goAway(code: .invalidArgument, message: "WINDOW_UPDATE payload must be 4 bytes", close: true)
            return
        }
        let increment = Int(UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3]))
        let maxWindow = Int(Int32.max)
        guard increment > 0 else {
            goAway(code: .invalidArgument, message: "WINDOW_UPDATE increment must be positive", close: true)
            return
        }
        if frame.header.stream == 0 {
            guard connectionSendWindow + increment <= maxWindow else {
                goAway(code: .invalidArgument, message: "connection window above 2^31-1", close: true)
                return
            }
            connectionSendWindow += increment
            for stream in streams.values where !stream.blocked.isEmpty { drainBlocked(stream) }
        } else if let stream = streams[frame.header.stream] {
            guard stream.sendWindow + increment <= maxWindow else {
                finish(stream, Status(code: .invalidArgument, message: "stream window above 2^31-1"), dropQueued: true)
                return
            }
            stream.sendWindow += increment
            drainBlocked(stream)
        }
    }

    // MARK: Idle and shutdown

    /// The connection may have gone idle (handshake done, a call retired): starts its idle clock.
    func resetIdleTimer() {
        guard streams.isEmpty, !closed else { return }
        let now = ContinuousClock.now
        idleSince = now
        if idleTimer == nil { armIdleTimer(at: now + config.idleTimeout) }
    }

    private func armIdleTimer(at deadline: ContinuousClock.Instant) {
        idleTimer = loop.schedule(at: deadline) { [weak self] in
            guard let self else { return }
            self.idleTimer = nil
            // Busy now: the next retire re-arms it.
            guard !self.closed, self.streams.isEmpty, let since = self.idleSince else { return }
            let due = since + self.config.idleTimeout
            if ContinuousClock.now >= due {
                self.idleTimedOut(since: since, lastQueued: nil)
            } else {
                self.armIdleTimer(at: due)
            }
        }
    }

    /// The idle timeout. If the kernel still holds output for the client (answers it has not
    /// taken), the client is stalled rather than idle: that queue gets `writeStallTimeout` to
    /// shrink, and the connection is reset when it has not (a GOAWAY and a close would wait
    /// behind that output, unseen, with the kernel holding it). An empty queue gets GOAWAY
    /// and a quiet close.
    private func idleTimedOut(since: ContinuousClock.Instant, lastQueued: Int?) {
        let output = Sys.kernelOutput(fd, since: lastQueued)
        guard output != .drained, let stall = config.writeStallTimeout else {
            goAway(code: .ok, message: "idle timeout", close: true)
            return
        }
        guard case .shrinking(let queued) = output else {
            close(abortive: true)
            return
        }
        idleTimer = loop.schedule(after: stall) { [weak self] in
            guard let self else { return }
            self.idleTimer = nil
            guard !self.closed, self.streams.isEmpty, let now = self.idleSince else { return }
            if now == since {
                self.idleTimedOut(since: since, lastQueued: queued)
            } else {
                self.armIdleTimer(at: now + self.config.idleTimeout)  // calls came and went
            }
        }
    }

    /// Graceful shutdown: no new calls; close once the open ones finish.
    func drain() {
        guard !draining, !closed else { return }
        draining = true
        var g = Portal_Rpc_V1_GoAway()
        g.lastStream = lastStreamID
        g.code = UInt32(Status.Code.unavailable.rawValue)
        g.message = "server shutting down"
        output.append(.goAway, stream: 0, message: g)
        scheduleFlush()
        closeIfDrained()
    }

    func closeIfDrained() {
        if draining && streams.isEmpty {
            flush()
            close()
        }
    }

    /// Sends GOAWAY; with `close`, flushes what it can and drops the connection.
    func goAway(code: Status.Code, message: String, close shouldClose: Bool) {
        var g = Portal_Rpc_V1_GoAway()
        g.lastStream = lastStreamID
        g.code = UInt32(code.rawValue)
        g.message = message
        output.append(.goAway, stream: 0, message: g)
        draining = true
        flush()
        if shouldClose { close() }
    }

    /// End of the shutdown grace period: open calls get STATUS UNAVAILABLE, then the
    /// connection closes.
    func forceClose() {
        guard !closed else { return }
        for stream in streams.values {
            stream.task?.cancel()
            finish(stream, Status(code: .unavailable, message: "server shut down before the call finished"), dropQueued: true)
        }
        flush()
        close()
    }

    /// Closes the socket. `abortive` (a client that stopped reading) resets the connection
    /// instead: the kernel drops the output it still holds rather than keeping it for a peer
    /// that will never take it, and the peer sees the reset at once.
    func close(abortive: Bool = false) {
        guard !closed else { return }
        closed = true
        for timer in [idleTimer, keepaliveTimer, partialTimer, writeStallTimer] {
            if let timer { loop.cancelTimer(timer) }
        }
        for stream in streams.values { abandon(stream) }
        server.streamsClosed(streams.count)
        streams.removeAll()
        loop.unregister(fd)
        if abortive { Sys.abort(fd) } else { Sys.close(fd) }
        server.connectionClosed()
    }
}
