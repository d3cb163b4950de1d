#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem
import Synchronization

/// The HTTP face of an `RPCServer`: its unary methods as Connect unary calls
/// (`POST /package.Service/Method`, see `ConnectProtocol`) and a table of static files, on a
/// port of its own, over a strict HTTP/1.1 with size limits, timeouts and keep-alive.
///
/// Calls go through the same router, admission control (`maxInFlightCalls`), metrics and
/// call log as the binary protocol's; handlers see the HTTP headers as call metadata, so
/// `Authorization: Bearer` works unchanged. The gateway runs one event loop of its own;
/// handlers prefer it as their executor, like the server's unary handlers.
///
///     let gateway = try HTTPGateway(configuration: http, server: server, staticFiles: files)
///     try gateway.start()
///     ...
///     await gateway.shutdown(grace: .seconds(10))
public final class HTTPGateway: ConnectionAcceptor, Sendable {
    public let configuration: HTTPGatewayConfiguration
    public let localAddress: SocketAddress
    let server: RPCServer
    let staticFiles: HTTPStaticFiles
    let loop: EventLoop
    /// The largest request body accepted.
    let maxBodySize: Int
    private let listenFD: Int32
    private let state = Mutex(State())
    let counters = HTTPCounters()

    private struct State {
        var connections = 0
        var stopped = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    public init(configuration: HTTPGatewayConfiguration, server: RPCServer, staticFiles: HTTPStaticFiles = HTTPStaticFiles()) throws {
        self.configuration = configuration
        self.server = server
        self.staticFiles = staticFiles
        maxBodySize = configuration.maxBodySize ?? server.configuration.maxFrameSize
        loop = try EventLoop(name: "http-loop")
        (listenFD, localAddress) = try Sys.listeningSocket(host: configuration.host, port: configuration.port,
                                                           backlog: 1024, nonBlocking: true)
    }

    /// Starts the loop and accepting connections.
    public func start() throws {
        loop.start()
        let result = Mutex<(any Error)?>(nil)
        let started = Latch()
        loop.execute {
            do {
                try self.loop.register(self.listenFD, Listener(fd: self.listenFD, server: self, loop: self.loop), events: CPS_EPOLLIN)
            } catch {
                result.withLock { $0 = error }
            }
            started.open()
        }
        started.wait()
        if let error = result.withLock({ $0 }) { throw error }
    }

    // MARK: ConnectionAcceptor

    func acceptSocket(_ fd: Int32) throws(SystemError) -> Int32? { try Sys.accept(fd) }

    func adopt(_ fd: Int32) {
        let accept = state.withLock { s -> Bool in
            guard !s.stopped, s.connections < configuration.maxConnections else { return false }
            s.connections += 1
            return true
        }
        guard accept else {
            counters.refusedConnections.add(1, ordering: .relaxed)
            Sys.close(fd)
            return
        }
        Sys.setNoDelay(fd)
        let connection = HTTPConnection(fd: fd, gateway: self)
        do {
            try connection.start()
        } catch {
            Sys.close(fd)
            connectionClosed()
        }
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

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

    /// Stops accepting, closes idle connections at once and the others after their current
    /// response, waits up to `grace` for them, then closes what is left and stops the loop.
    public func shutdown(grace: Duration = .seconds(10)) async {
        let alreadyStopped = state.withLock { s -> Bool in
            defer { s.stopped = true }
            return s.stopped
        }
        if alreadyStopped { return }
        let loop = self.loop, listenFD = self.listenFD
        loop.execute {
            loop.unregister(listenFD)
            Sys.close(listenFD)
            loop.forEachHandler { (c: HTTPConnection) in c.drain() }
        }
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.allConnectionsClosed(); return true }
            group.addTask { (try? await Task.sleep(for: grace)) != nil }
            if await group.next() == false {
                loop.execute { loop.forEachHandler { (c: HTTPConnection) in c.close() } }
            }
            group.cancelAll()
        }
        loop.stop()
    }

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

    /// Prometheus text: `portal_http_open_connections`, `portal_http_requests_total` by
    /// status class, and `portal_http_refused_connections_total`.
    public func metricsExposition() -> String {
        var out = PrometheusText()
        out.single("portal_http_open_connections", type: "gauge", help: "HTTP gateway connections open now.", Double(connectionCount))
        out.single("portal_http_refused_connections_total", type: "counter",
                   help: "HTTP connections closed at accept because maxConnections were open.",
                   Double(counters.refusedConnections.load(ordering: .relaxed)))
        out.header("portal_http_requests_total", type: "counter", help: "HTTP requests answered, by status class.")
        for (statusClass, count) in counters.byClass() {
            out.sample("portal_http_requests_total", labels: ["class": statusClass], count)
        }
        return out.text
    }
}

/// The gateway's request counters.
final class HTTPCounters: Sendable {
    let refusedConnections = Atomic<Int>(0)
    private let classes = Mutex([Int](repeating: 0, count: 5))

    func record(status: Int) {
        let i = min(4, max(0, status / 100 - 1))
        classes.withLock { $0[i] += 1 }
    }

    func byClass() -> [(String, Double)] {
        let counts = classes.withLock { $0 }
        return (0..<5).map { ("\($0 + 1)xx", Double(counts[$0])) }
    }
}
