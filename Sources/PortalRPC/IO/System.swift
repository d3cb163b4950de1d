#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem

/// A failed system call: its name and errno.
public struct SystemError: Error, Hashable, Sendable, CustomStringConvertible {
    public var call: String
    public var errno: Int32
    public var description: String {
        let text = strerror(errno).map { String(validatingCString: $0) ?? "" } ?? ""
        return "\(call): \(text) (errno \(errno))"
    }
}

/// Syscall wrappers in the style of swift-nio's System.swift: retry on EINTR, turn -1 into a
/// thrown `SystemError`, and report "would block" as nil instead of an error.
enum Sys {
    @inline(__always)
    static func retrying(_ name: String, _ body: () -> Int) throws(SystemError) -> Int {
        while true {
            let r = body()
            if r >= 0 { return r }
            let e = cps_errno()
            if e == EINTR { continue }
            throw SystemError(call: name, errno: e)
        }
    }

    /// Like `retrying`, but EAGAIN/EWOULDBLOCK returns nil.
    @inline(__always)
    static func nonBlocking(_ name: String, _ body: () -> Int) throws(SystemError) -> Int? {
        while true {
            let r = body()
            if r >= 0 { return r }
            let e = cps_errno()
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return nil }
            throw SystemError(call: name, errno: e)
        }
    }

    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        try nonBlocking("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemError) -> Int? {
        try nonBlocking("write") { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)  // never retried: on Linux the descriptor is gone even on EINTR
    }

    /// The bytes the kernel still holds for the peer (sent and not acknowledged, or not sent
    /// yet); 0 if that cannot be told.
    static func outputQueued(_ fd: Int32) -> Int { max(0, Int(cps_output_queued(fd))) }

    /// What the kernel holds for an idle connection's peer, against what it held at the last
    /// look (`last`, nil at the first): nothing (`drained`: close quietly), less than before
    /// (`shrinking`: look again after the write-stall timeout), or no less (`stalled`: the
    /// peer takes nothing; reset). Servers ask at their idle timeout, since a GOAWAY or FIN
    /// would wait, unseen, behind output a peer does not take.
    enum KernelOutput: Equatable { case drained, shrinking(Int), stalled }

    static func kernelOutput(_ fd: Int32, since last: Int?) -> KernelOutput {
        let queued = outputQueued(fd)
        if queued == 0 { return .drained }
        if let last, queued >= last { return .stalled }
        return .shrinking(queued)
    }

    /// Closes a TCP socket with a reset (SO_LINGER 0): the kernel drops the output it still
    /// holds instead of keeping it, behind a FIN, for a peer that stopped reading. Without
    /// it that peer never sees the close (the FIN waits behind data its window will not
    /// take) and the kernel holds up to the send buffer per connection until the orphan
    /// retries run out.
    static func abort(_ fd: Int32) {
        var l = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    static func accept(_ fd: Int32) throws(SystemError) -> Int32? {
        try nonBlocking("accept4") { Int(cps_accept4(fd)) }.map(Int32.init)
    }

    /// A TCP socket bound to `host:port` and listening (SO_REUSEADDR, close-on-exec), and the
    /// address it got: port 0 picks a free one. Non-blocking for an event loop's listener,
    /// blocking for a thread that waits in accept.
    static func listeningSocket(host: String, port: Int, backlog: Int32, nonBlocking: Bool) throws -> (fd: Int32, address: SocketAddress) {
        let address = SocketAddress(host: host, port: port)
        let family = host.contains(":") ? AF_INET6 : AF_INET
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        let fd = socket(family, type, 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        do {
            try address.withSockAddr { sa, len in
                guard bind(fd, sa, len) == 0 else { throw SystemError(call: "bind(\(address))", errno: errno) }
            }
            guard Glibc.listen(fd, backlog) == 0 else { throw SystemError(call: "listen", errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        return (fd, SocketAddress.of(fd, peer: false) ?? address)
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }
}
