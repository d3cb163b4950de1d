#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem

/// What a `Listener` hands accepted sockets to: the RPC server, the HTTP gateway.
protocol ConnectionAcceptor: AnyObject, Sendable {
    /// accept4 on the listening socket: a new descriptor, or nil when the backlog is empty.
    func acceptSocket(_ fd: Int32) throws(SystemError) -> Int32?
    /// Takes ownership of an accepted socket.
    func adopt(_ fd: Int32)
    var isStopped: Bool { get }
}

extension RPCServer {
    func acceptSocket(_ fd: Int32) throws(SystemError) -> Int32? { try acceptor(fd) }
}

/// Accepts connections on a listening socket (the RPC server's on its loop 0).
///
/// The socket is level-triggered, so an accept error that leaves connections in the backlog
/// must not simply return: epoll would report the socket again at once and the loop would
/// spin at 100 % CPU. Out of descriptors (EMFILE/ENFILE), a descriptor held in reserve is
/// closed to accept one pending connection and close it at once (the client sees the
/// connection end instead of hanging in the backlog), then reopened. If that is not possible
/// (the reserve is gone, another thread took the freed descriptor) or accept fails for lack
/// of memory, the listener stops polling for a backoff (10 ms doubling to 1 s) and retries.
final class Listener: EventHandler {
    let fd: Int32
    /// Strong: a loop may still run this after the owner dropped a server it never shut down
    /// (timers, late events); an unowned reference would then crash the process.
    let server: any ConnectionAcceptor
    let loop: EventLoop
    private var spare: Int32
    private var paused = false
    private var backoff: Duration = .zero
    static let minBackoff: Duration = .milliseconds(10)
    static let maxBackoff: Duration = .seconds(1)

    init(fd: Int32, server: any ConnectionAcceptor, loop: EventLoop) {
        self.fd = fd
        self.server = server
        self.loop = loop
        self.spare = Listener.openSpare()
    }

    deinit { if spare >= 0 { Sys.close(spare) } }

    private static func openSpare() -> Int32 { open("/dev/null", O_RDONLY | O_CLOEXEC) }

    func handleEvents(_ events: UInt32) {
        guard !paused else { return }
        while true {
            let client: Int32?
            do {
                client = try server.acceptSocket(fd)
            } catch {
                switch error.errno {
                case ECONNABORTED, EPROTO, EPERM:
                    continue  // that connection is gone already; take the next
                case EMFILE, ENFILE:
                    switch shedOnePending() {
                    case .shed: continue
                    case .backlogEmpty: return
                    case .impossible: pause(); return
                    }
                default:
                    pause()  // ENOBUFS, ENOMEM...: retry after a pause
                    return
                }
            }
            guard let client else {
                backoff = .zero
                return  // the backlog is empty
            }
            backoff = .zero
            server.adopt(client)
        }
    }

    private enum Shed { case shed, backlogEmpty, impossible }

    /// Out of descriptors: frees the reserve to accept one pending connection and close it.
    private func shedOnePending() -> Shed {
        if spare < 0 { spare = Listener.openSpare() }
        guard spare >= 0 else { return .impossible }
        Sys.close(spare)
        let outcome: Shed
        do {
            if let client = try server.acceptSocket(fd) {
                Sys.close(client)
                outcome = .shed
            } else {
                outcome = .backlogEmpty
            }
        } catch {
            outcome = .impossible  // someone took the freed descriptor
        }
        spare = Listener.openSpare()
        return outcome
    }

    /// Stops polling the socket for a while (pending connections wait in the backlog).
    private func pause() {
        paused = true
        backoff = min(Listener.maxBackoff, max(Listener.minBackoff, backoff * 2))
        loop.modify(fd, events: 0)
        loop.schedule(after: backoff) { [self] in
            paused = false
            guard !server.isStopped else { return }  // shutdown closes the socket
            loop.modify(fd, events: CPS_EPOLLIN)
        }
    }

    func flush() {}
}
