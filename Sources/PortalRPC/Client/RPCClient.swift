import PortalModel
import Synchronization

/// A client of one server address. Calls multiplex over one connection, made on first use
/// and remade after a failure with exponential backoff. Generated client stubs take it as
/// their transport:
///
///     let client = try RPCClient(target: SocketAddress("127.0.0.1:50051")!)
///     let health = Grpc_Health_V1_Health_Client(transport: client)
///     let status = try await health.check(.init()).status
///
/// Every failure surfaces as `RPCError` with the call's status code.
public final class RPCClient: RPCClientTransport {
    public let target: SocketAddress
    public let configuration: ClientConfiguration
    private let loop: EventLoop
    var loopForCalls: EventLoop { loop }

    /// The executor of the event-loop thread this client's connection lives on. A task that
    /// prefers it makes its calls with no thread hop either way (see `unary`):
    ///
    ///     Task(executorPreference: client.executor) { for q in work { _ = try await stub.get(q) } }
    ///
    /// That task then shares the thread with the I/O of this client and of the other clients
    /// given the same loop, so what it does between calls delays their reads and writes: for
    /// load generators and tight call loops, not for heavy work.
    public var executor: any TaskExecutor { loop }
    private let state = Mutex(State())

    private struct State {
        var connection: ClientConnection?
        var waiting: [CheckedContinuation<ClientConnection, any Error>] = []
        var connecting = false
        var failures = 0
        var nextAttempt: ContinuousClock.Instant = .now
        var closed = false
    }

    public init(target: SocketAddress, configuration: ClientConfiguration = ClientConfiguration()) throws {
        self.target = target
        self.configuration = configuration
        loop = try ClientLoops.shared.pick()
    }

    /// The loop is shared with other clients and stays; only the connection goes.
    deinit { close() }

    /// Closes the connection; calls in flight fail with UNAVAILABLE.
    public func close() {
        let connection = state.withLock { s -> ClientConnection? in
            s.closed = true
            defer { s.connection = nil }
            return s.connection
        }
        if let connection {
            loop.execute { connection.fail(RPCError(code: .unavailable, message: "client closed")) }
        }
    }

    // MARK: Connection management

    /// A usable connection, connecting (after any backoff) if needed. On the loop thread a
    /// connected connection is returned at once (its state is the loop's to read).
    func connection() async throws -> ClientConnection {
        if let conn = readyConnectionOnLoop() { return conn }
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<ClientConnection, any Error>) in
            loop.execute { self.obtain(c) }
        }
    }

    /// The connected connection, when called on the loop thread and there is one: the
    /// synchronous fast path of `connection()`, which callers on the loop try first (an
    /// async call costs a frame allocation even when it does not suspend).
    @inline(__always)
    func readyConnectionOnLoop() -> ClientConnection? {
        guard loop.inLoop, let conn = state.withLock({ s in s.closed ? nil : s.connection }), conn.isUsable, conn.connected else {
            return nil
        }
        return conn
    }

    /// Loop thread: hands out the current connection or starts one.
    private func obtain(_ c: CheckedContinuation<ClientConnection, any Error>) {
        enum Step { case ready(ClientConnection), wait, connect(after: Duration), closed }
        let step = state.withLock { s -> Step in
            if s.closed { return .closed }
            if let conn = s.connection, conn.isUsable, conn.connected { return .ready(conn) }
            s.waiting.append(c)
            if s.connecting { return .wait }
            s.connecting = true
            let delay = s.nextAttempt - .now
            return .connect(after: delay > .zero ? delay : .zero)
        }
        switch step {
        case .ready(let conn): c.resume(returning: conn)
        case .closed: c.resume(throwing: RPCError(code: .unavailable, message: "client closed"))
        case .wait: break
        case .connect(let delay):
            if delay > .zero {
                loop.schedule(after: delay) { self.attempt() }
            } else {
                attempt()
            }
        }
    }

    private func attempt() {
        let conn: ClientConnection
        do {
            conn = try ClientConnection.connect(to: target, loop: loop, config: configuration)
            conn.onConnect = { [weak self] result in self?.connected(conn, result) }
            conn.onClose = { [weak self] in
                self?.state.withLock { s in if s.connection === conn { s.connection = nil } }
            }
            try conn.start()
        } catch {
            connected(nil, .failure(RPCError(code: .unavailable, message: "cannot connect to \(target): \(error)")))
            return
        }
    }

    private func connected(_ conn: ClientConnection?, _ result: Result<Void, RPCError>) {
        let waiters = state.withLock { s -> [CheckedContinuation<ClientConnection, any Error>] in
            s.connecting = false
            switch result {
            case .success:
                s.connection = conn
                s.failures = 0
                s.nextAttempt = .now
            case .failure:
                s.failures += 1
                s.nextAttempt = .now + backoff(afterFailures: s.failures)
            }
            defer { s.waiting = [] }
            return s.waiting
        }
        for w in waiters {
            switch result {
            case .success: w.resume(returning: conn!)
            case .failure(let e): w.resume(throwing: e)
            }
        }
    }

    /// Exponential backoff with ±20 % jitter.
    private func backoff(afterFailures n: Int) -> Duration {
        let base = configuration.initialBackoff * (1 << min(n - 1, 16))
        let capped = min(base, configuration.maxBackoff)
        return capped * Double.random(in: 0.8...1.2)
    }
}
