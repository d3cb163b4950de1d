#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem

/// One HTTP/1.1 connection of the gateway, confined to the gateway's loop thread.
///
/// Requests are served one at a time, in order: while a request is being handled, or its
/// answer has not all been taken by the client, nothing more is read (pipelined requests wait
/// in the socket), so a client that sends requests and never reads answers holds at most one
/// answer in memory. One timer guards each phase:
/// - idle (kept alive, no request yet): `idleTimeout`, then the connection closes quietly, or,
///   if the kernel still holds answers the client has not taken, once that queue has not
///   shrunk for `writeStallTimeout`, with a reset;
/// - reading a head: `headTimeout` from the request's first byte, then 408 and close;
/// - reading a body: `bodyTimeout` from the request's first byte, then 408 and close;
/// - handling: the call's Connect-Timeout-Ms, if any, then 504 `deadline_exceeded`;
/// - writing: `writeStallTimeout` without progress, then the connection is reset (only
///   progress restarts it; a new request cannot, as none is read while output waits). A
///   reset, not a close: the FIN would wait behind output the client does not take.
/// An error that leaves the byte stream untrusted (a malformed head, a body too large) is
/// answered, then the connection is shut for writing and closed once the client stops
/// sending or after a second, so the answer is not lost to a reset.
final class HTTPConnection: EventHandler, @unchecked Sendable {
    // @unchecked: every property is touched on `loop` only.
    let fd: Int32
    let gateway: HTTPGateway
    let loop: EventLoop
    let peer: String
    private var config: HTTPGatewayConfiguration { gateway.configuration }

    private enum Phase { case idle, head, body(HTTPRequestHead), handling, lingering }
    private var phase = Phase.idle
    private var inbound: [UInt8] = []
    private var outbound: [UInt8] = []
    private var written = 0
    private var timer: TimerQueue.ID?
    private var requestStarted = ContinuousClock.now
    private var keepAlive = true
    private var draining = false
    private var task: Task<Void, Never>?
    private(set) var closed = false

    init(fd: Int32, gateway: HTTPGateway) {
        self.fd = fd
        self.gateway = gateway
        self.loop = gateway.loop
        self.peer = SocketAddress.of(fd, peer: true)?.description ?? "unknown"
    }

    func start() throws(SystemError) {
        try loop.register(fd, self, events: CPS_EPOLLIN | CPS_EPOLLRDHUP)
        armTimer(config.idleTimeout)
    }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        if events & (CPS_EPOLLHUP | CPS_EPOLLERR) != 0, case .handling = phase {
            close()  // the client is gone: nobody is waiting for the answer
            return
        }
        if events & CPS_EPOLLOUT != 0 { flush() }
        if events & (CPS_EPOLLIN | CPS_EPOLLHUP | CPS_EPOLLERR | CPS_EPOLLRDHUP) != 0 { readAvailable() }
    }

    private func readAvailable() {
        let chunk = loop.readBuffer
        while !closed {
            if !isReading { return }  // the rest waits in the socket
            let n: Int?
            do {
                n = try Sys.read(fd, chunk)
            } catch {
                close()
                return
            }
            guard let n else { return }
            if n == 0 {
                close()  // the client is done (or gone); nothing to answer
                return
            }
            if case .lingering = phase { continue }  // drained and dropped
            inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<n]))
            process()
            if n < chunk.count { return }
        }
    }

    /// Parses as far as the buffered bytes allow, starting the handler for a complete request.
    private func process() {
        while !closed {
            switch phase {
            case .idle, .head:
                if inbound.isEmpty || !isReading { return }
                if case .idle = phase {
                    phase = .head
                    requestStarted = .now
                    armTimer(at: requestStarted + config.headTimeout)
                }
                let scan = inbound.withUnsafeBytes { HTTPRequestParser.scan($0, limit: config.maxHeadSize) }
                switch scan {
                case .incomplete:
                    return
                case .failed(let error):
                    reject(error)
                    return
                case .complete(let skip, let headEnd, let bodyStart):
                    let parsed = inbound.withUnsafeBytes { raw in
                        Result { () throws(HTTPRequestError) in
                            try HTTPRequestParser.parse(UnsafeRawBufferPointer(rebasing: raw[skip..<headEnd]), maxHeaders: config.maxHeaders)
                        }
                    }
                    inbound.removeFirst(bodyStart)
                    switch parsed {
                    case .failure(let error):
                        reject(error)
                        return
                    case .success(let head):
                        guard head.contentLength <= gateway.maxBodySize else {
                            reject(HTTPRequestError(413, "a request body may be at most \(gateway.maxBodySize) bytes; this one declares \(head.contentLength)"))
                            return
                        }
                        keepAlive = head.keepAlive
                        phase = .body(head)
                        armTimer(at: requestStarted + config.bodyTimeout)
                        if head.expectsContinue && inbound.count < head.contentLength {
                            queue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                        }
                    }
                }
            case .body(let head):
                guard inbound.count >= head.contentLength else { return }
                let body = Array(inbound[..<head.contentLength])
                inbound.removeFirst(head.contentLength)
                handle(head, body)
                return
            case .handling, .lingering:
                return
            }
        }
    }

    // MARK: Requests

    private func handle(_ head: HTTPRequestHead, _ body: [UInt8]) {
        phase = .handling
        cancelTimer()
        updateEvents()  // no more reading; HUP and ERR still come
        switch gateway.dispatch(head, body: body, peer: peer) {
        case .respond(let response):
            respond(response)
        case .call(let call):
            let gateway = self.gateway, loop = self.loop
            task = Task(executorPreference: loop) { [self] in
                let response = await gateway.run(call)
                loop.run { self.completeCall(call, response) }
            }
            if let ms = call.timeoutMillis {
                armTimer(at: call.started + .milliseconds(ms)) { [self] in
                    task?.cancel()
                    completeCall(call, gateway.timedOut(call))
                }
            }
        }
    }

    private func completeCall(_ call: HTTPGateway.UnaryCall, _ response: HTTPResponse) {
        guard !closed, case .handling = phase, task != nil else { return }
        task = nil
        cancelTimer()
        respond(response)
    }

    /// A request that cannot be served and leaves the stream untrusted: answer, then close.
    private func reject(_ error: HTTPRequestError) {
        phase = .handling
        keepAlive = false
        respond(.text(error.status, error.message, close: true))
    }

    private func respond(_ response: HTTPResponse) {
        if response.closeConnection || draining { keepAlive = false }
        gateway.counters.record(status: response.status)
        queue(response.serialized(keepAlive: keepAlive))
        if closed { return }
        if keepAlive {
            phase = .idle
            updateEvents()
            // With output waiting, the write-stall timer `flush` armed stays; once it is out,
            // `flush` arms the idle timer and goes on with a pipelined request.
            if outputWaiting { return }
            armTimer(config.idleTimeout)
            processPipelined()
        } else {
            linger()
        }
    }

    // MARK: Writing

    private func queue(_ bytes: [UInt8]) {
        outbound += bytes
        flush()
    }

    func flush() {
        while written < outbound.count && !closed {
            let n: Int?
            do {
                n = try outbound.withUnsafeBytes { try Sys.write(fd, UnsafeRawBufferPointer(rebasing: $0[written...])) }
            } catch {
                close()
                return
            }
            guard let n, n > 0 else {
                // The socket is full: wait for EPOLLOUT, and give up if it never comes.
                updateEvents()
                if timer == nil || isIdleOrHandling { armTimer(config.writeStallTimeout) }
                return
            }
            written += n
        }
        if written == outbound.count && written > 0 {
            outbound.removeAll(keepingCapacity: outbound.count <= 64 * 1024)
            written = 0
            updateEvents()
            switch phase {
            case .lingering:
                _ = shutdown(fd, Int32(SHUT_WR))
                armTimer(.seconds(1))
            case .idle:
                if draining { close(); return }  // as `drain` does to an idle connection
                armTimer(config.idleTimeout)
                processPipelined()
            default:
                break
            }
        }
    }

    /// A pipelined request may be buffered already: parse it on the next iteration (not
    /// here, so a long pipeline of small requests cannot grow the stack).
    private func processPipelined() {
        if !inbound.isEmpty { loop.execute { [self] in if !closed { process() } } }
    }

    private var outputWaiting: Bool { written < outbound.count }

    /// Whether requests are read: not while one is handled, nor while an answer waits for the
    /// client to take it (a lingering connection reads only to drop what arrives).
    private var isReading: Bool {
        switch phase {
        case .handling: return false
        case .lingering: return true
        case .idle, .head, .body: return !outputWaiting
        }
    }

    private var isIdleOrHandling: Bool {
        switch phase {
        case .idle, .handling: return true
        default: return false
        }
    }

    /// Readable events while `isReading`; writable events while output waits.
    private func updateEvents() {
        guard !closed else { return }
        var events: UInt32 = outputWaiting ? CPS_EPOLLOUT : 0
        if isReading { events |= CPS_EPOLLIN | CPS_EPOLLRDHUP }
        loop.modify(fd, events: events)
    }

    // MARK: Closing

    /// After a response with `Connection: close`: shut for writing once it is out, drop what
    /// the client still sends, and close at its end of stream or after a second.
    private func linger() {
        phase = .lingering
        inbound = []
        updateEvents()
        if written == outbound.count { _ = shutdown(fd, Int32(SHUT_WR)) }
        armTimer(written == outbound.count ? .seconds(1) : config.writeStallTimeout)
    }

    /// Shutdown of the gateway: close now if idle, else after the current response.
    func drain() {
        draining = true
        keepAlive = false
        if case .idle = phase, outbound.isEmpty { close() }
    }

    /// Closes the socket; `abortive` (a client that stopped taking its answer) resets it, so
    /// the kernel drops the output it holds and the client sees the end at once.
    func close(abortive: Bool = false) {
        guard !closed else { return }
        closed = true
        cancelTimer()
        task?.cancel()
        task = nil
        loop.unregister(fd)
        if abortive { Sys.abort(fd) } else { Sys.close(fd) }
        gateway.connectionClosed()
    }

    // MARK: Timers

    private func armTimer(_ after: Duration) { armTimer(at: .now + after) }

    private func armTimer(at deadline: ContinuousClock.Instant, _ body: (() -> Void)? = nil) {
        cancelTimer()
        timer = loop.schedule(at: deadline) { [self] in
            timer = nil
            guard !closed else { return }
            if let body { body(); return }
            timerFired()
        }
    }

    private func cancelTimer() {
        if let timer { loop.cancelTimer(timer) }
        timer = nil
    }

    /// Every answer went to the kernel, but it may still hold them for a client that does
    /// not read: that is a write stall too, timed by the kernel's queue. Any new phase arms
    /// its own timer, which ends this watch.
    private func idleTimedOut(lastQueued: Int?) {
        switch Sys.kernelOutput(fd, since: lastQueued) {
        case .drained: close()
        case .stalled: close(abortive: true)
        case .shrinking(let queued):
            armTimer(at: .now + config.writeStallTimeout) { [self] in idleTimedOut(lastQueued: queued) }
        }
    }

    private func timerFired() {
        switch phase {
        case .head, .body:
            reject(HTTPRequestError(408, "the request did not arrive in time"))
        case .idle where !outputWaiting:
            idleTimedOut(lastQueued: nil)
        default:
            // Lingering, or a write that stalled: the last one is reset, as its FIN would
            // wait behind output the client does not take.
            close(abortive: outputWaiting)
        }
    }
}
