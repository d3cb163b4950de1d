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
public final class RPCServer: Sendable {
    public let configuration: ServerConfiguration
    let router: RPCRouter
    private let loops: [EventLoop]
    private let state = Mutex(State())
    private let listenFD: Int32
    public let localAddress: SocketAddress

    private struct State {
        var connections = 0
        var nextLoop = 0
        var stopped = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    public static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    public init(configuration: ServerConfiguration, router: RPCRouter) throws {
        self.configuration = configuration
        self.router = router
        loops = try (0..<max(1, configuration.eventLoops)).map { try EventLoop(name: "rpc-loop-\($0)") }
        let address = SocketAddress(host: configuration.host, port: configuration.port)
        let family = configuration.host.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        do {
            try address.withSockAddr { sa, len in
                guard bind(fd, sa, len) == 0 else { throw SystemError(call: "bind(\(address))", errno: errno) }
            }
            guard listen(fd, 4096) == 0 else { throw SystemError(call: "listen", errno: errno) }
        } catch {
            Sys.close(fd)
            throw error
        }
        listenFD = fd
        localAddress = SocketAddress.of(fd, peer: false) ?? address
    }

    /// Starts the event loops and accepting connections.
    public func start() throws {
        for loop in loops { loop.start() }
        let loop = loops[0]
        let result = Mutex<(any Error)?>(nil)
        let started = Latch()
        loop.execute {
            do {
                try loop.register(self.listenFD, Listener(fd: self.listenFD, server: self), events: CPS_EPOLLIN)
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

/// Accepts connections on the listening socket (on loop 0).
final class Listener: EventHandler {
    let fd: Int32
    unowned let server: RPCServer
    /// A descriptor held in reserve: out of descriptors, we close it to accept and at once
    /// close one pending connection, so the backlog cannot spin the level-triggered loop.
    private var spare: Int32

    init(fd: Int32, server: RPCServer) {
        self.fd = fd
        self.server = server
        self.spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    deinit { if spare >= 0 { Sys.close(spare) } }

    func handleEvents(_ events: UInt32) {
        while true {
            do {
                guard let client = try Sys.accept(fd) else { return }
                server.adopt(client)
            } catch where error.errno == EMFILE || error.errno == ENFILE {
                guard spare >= 0 else { return }
                Sys.close(spare)
                if let client = try? Sys.accept(fd) { Sys.close(client) }
                spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
            } catch {
                return  // ECONNABORTED and the like: the next event retries
            }
        }
    }

    func flush() {}
}
