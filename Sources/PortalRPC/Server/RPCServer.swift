#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem
import PortalModel
import Synchronization

/// The RPC server: a listening socket, one event loop per core, and the router.
///
///     var router = RPCRouter()
///     HealthService().registerMethods(with: &router)
///     let server = try RPCServer(configuration: config, router: router)
///     try server.start()
///     ...
///     await server.shutdown(grace: .seconds(10))
public final class RPCServer: ConnectionAcceptor, Sendable {
    public let configuration: ServerConfiguration
    let router: RPCRouter
    private let loops: [EventLoop]
    private let state = Mutex(State())
    private let listenFD: Int32
    public let localAddress: SocketAddress
    /// accept4 on the listening socket (tests substitute one that fails).
    let acceptor: @Sendable (Int32) throws(SystemError) -> Int32?
    /// Unary handlers running now (admission control), and calls refused for overload.
    private let inFlight = Atomic<Int>(0)
    private let shed = Atomic<Int>(0)
    private let streamCount = Atomic<Int>(0)
    /// Calls finished, by method and status, with latency histograms (see `metricsExposition`).
    public let metrics = RPCMetrics()
    /// Where finished calls are logged (see `ServerConnection+Logging`); nil logs nothing.
    public let logger: Logger?
    /// A request id for every call.
    let requestIDs = RequestIDSource()

    /// The STATUS message of a call refused by admission control.
    public static let overloadedMessage = "server overloaded"

    private struct State {
        var connections = 0
        var nextLoop = 0
        var stopped = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    public static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// With a `logger`, every call's completion is logged (request id, method, status code,
    /// duration, peer): at `debug`, or at `error` for INTERNAL, UNKNOWN and DATA_LOSS.
    public convenience init(configuration: ServerConfiguration, router: RPCRouter, logger: Logger? = nil) throws {
        try self.init(configuration: configuration, router: router, logger: logger,
                      accept: { fd throws(SystemError) in try Sys.accept(fd) })
    }

    init(configuration: ServerConfiguration, router: RPCRouter, logger: Logger? = nil,
         accept: @escaping @Sendable (Int32) throws(SystemError) -> Int32?) throws {
        self.configuration = configuration
        self.logger = logger
        self.acceptor = accept
        self.router = router
        loops = try (0..<max(1, configuration.eventLoops)).map { try EventLoop(name: "rpc-loop-\($0)") }
        (listenFD, localAddress) = try Sys.listeningSocket(host: configuration.host, port: configuration.port,
                                                           backlog: 4096, nonBlocking: true)
    }

    /// Starts the event loops and accepting connections.
    public func start() throws {
        for loop in loops { loop.start() }
        let loop = loops[0]
        let result = Mutex<(any Error)?>(nil)
        let started = Latch()
        loop.execute {
            do {
                try loop.register(self.listenFD, Listener(fd: self.listenFD, server: self, loop: loop), events: CPS_EPOLLIN)
            } catch {
                result.withLock { $0 = error }
            }
            started.open()
        }
        started.wait()
        if let error = result.withLock({ $0 }) { throw error }
    }

    /// Hands an accepted socket to the next loop, round-robin.
    func adopt(_ fd: Int32) {
        let (accept, loop) = state.withLock { s -> (Bool, EventLoop) in
            let loop = loops[s.nextLoop % loops.count]
            s.nextLoop += 1
            guard !s.stopped, s.connections < configuration.maxConnections else { return (false, loop) }
            s.connections += 1
            return (true, loop)
        }
        guard accept else {
            Sys.close(fd)  // over the connection limit, or shutting down
            return
        }
        Sys.setNoDelay(fd)
        loop.execute {
            let connection = ServerConnection(fd: fd, loop: loop, server: self)
            do {
                try connection.start()
            } catch {
                Sys.close(fd)
                self.connectionClosed()
            }
        }
    }

    func connectionClosed() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.connections -= 1
            guard s.stopped, s.connections == 0 else { return [] }
            defer { s.drained = [] }
            return s.drained
        }
        for w in waiters { w.resume() }
    }

    public var connectionCount: Int { state.withLock { $0.connections } }

    var isStopped: Bool { state.withLock { $0.stopped } }

    // MARK: Admission control

    /// Unary handlers running now.
    public var inFlightCalls: Int { inFlight.load(ordering: .relaxed) }

    /// Calls refused with RESOURCE_EXHAUSTED "server overloaded" since the server started.
    public var shedCalls: Int { shed.load(ordering: .relaxed) }

    /// Whether a new call would be refused now (checked when a CALL arrives).
    var isOverloaded: Bool { inFlight.load(ordering: .relaxed) >= configuration.maxInFlightCalls }

    /// Takes a slot for a unary handler; false when all `maxInFlightCalls` are taken.
    func admitCall() -> Bool {
        if inFlight.wrappingAdd(1, ordering: .relaxed).newValue <= configuration.maxInFlightCalls { return true }
        inFlight.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func releaseCall() { inFlight.wrappingSubtract(1, ordering: .relaxed) }

    func recordShedCall() { shed.wrappingAdd(1, ordering: .relaxed) }

    /// Calls (streams) open now on all connections.
    public var openStreams: Int { streamCount.load(ordering: .relaxed) }

    func streamOpened() { streamCount.wrappingAdd(1, ordering: .relaxed) }

    func streamsClosed(_ n: Int) { if n > 0 { streamCount.wrappingSubtract(n, ordering: .relaxed) } }

    /// Prometheus text for the server's calls and gauges: `portal_rpc_calls_total`,
    /// `portal_rpc_call_duration_seconds`, `portal_rpc_open_connections`,
    /// `portal_rpc_inflight_calls` and `portal_rpc_shed_calls_total`.
    public func metricsExposition() -> String {
        var out = PrometheusText()
        out.single("portal_rpc_open_connections", type: "gauge", help: "Client connections open now.", Double(connectionCount))
        out.single("portal_rpc_open_streams", type: "gauge", help: "Calls open now on all connections (unary and streaming).", Double(openStreams))
        out.single("portal_rpc_inflight_calls", type: "gauge", help: "Unary handlers running now (admission control).", Double(inFlightCalls))
        out.single("portal_rpc_shed_calls_total", type: "counter", help: "Calls refused with RESOURCE_EXHAUSTED because the server was overloaded.", Double(shedCalls))
        return out.text + metrics.exposition(prefix: "portal_rpc_")
    }

    /// Returns once the server is stopped and its last connection has closed.
    private func allConnectionsClosed() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.connections == 0 { return true }
                s.drained.append(c)
                return false
            }
            if done { c.resume() }
        }
    }

    /// Graceful shutdown: stop accepting, send GOAWAY on every connection, let open calls
    /// finish for up to `grace`, then close whatever is left and stop the loops.
    public func shutdown(grace: Duration = .seconds(10)) async {
        let alreadyStopped = state.withLock { s -> Bool in
            defer { s.stopped = true }
            return s.stopped
        }
        if alreadyStopped { return }
        let listenFD = self.listenFD
        loops[0].execute { self.loops[0].unregister(listenFD); Sys.close(listenFD) }
        for loop in loops { loop.execute { loop.forEachConnection { $0.drain() } } }
        // Whichever comes first: the last connection closing, or the end of the grace period
        // (then open calls get STATUS UNAVAILABLE and their connections close).
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.allConnectionsClosed(); return true }
            group.addTask { (try? await Task.sleep(for: grace)) != nil }
            if await group.next() == false {
                for loop in loops { loop.execute { loop.forEachConnection { $0.forceClose() } } }
            }
            group.cancelAll()  // ends the sleep; the drain waiter returns once all are closed
        }
        for loop in loops { loop.stop() }
    }
}
