#if canImport(Glibc)
import Glibc
#endif
import PortalRPC

/// A TCP connection that speaks raw bytes, for feeding the server exactly what a test wants
/// (malformed frames, drip-feeding) and reading its frames back. Reads poll without blocking
/// and sleep between attempts: a blocking recv would hold one of the few cooperative threads
/// the server's handler tasks need.
final class RawConnection {
    let fd: Int32
    var decoder = FrameDecoder(maxFrameSize: 64 * 1024 * 1024, expectPreface: false)

    /// `receiveBuffer` is set before connecting, so the window the client advertises is small
    /// from the start (set later, the window already offered stays open).
    init(_ address: SocketAddress, receiveBuffer: Int32? = nil) throws {
        fd = try RawConnection.connectLoopback(address, receiveBuffer: receiveBuffer)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { Glibc.close(fd) }

    /// Whether the socket is still ESTABLISHED by the kernel's account (TCP_INFO), read
    /// without taking a byte: a client that reads nothing sees a reset this way, not a FIN.
    static func isEstablished(_ fd: Int32) -> Bool {
        var info = [UInt8](repeating: 0, count: 256)
        var size = socklen_t(info.count)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &size) == 0, size > 0 else { return false }
        return info[0] == 1  // tcpi_state: TCP_ESTABLISHED
    }

    /// A blocking TCP socket connected to `address.port` on 127.0.0.1 (test connections).
    static func connectLoopback(_ address: SocketAddress, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(address.port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr)
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else {
            Glibc.close(fd)
            throw RPCError(code: .unavailable, message: "connect failed")
        }
        return fd
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Preface and an empty SETTINGS, then reads the server's SETTINGS.
    func handshake() async throws {
        var enc = FrameEncoder()
        enc.appendPreface()
        enc.append(.settings, stream: 0, message: Portal_Rpc_V1_Settings())
        send(enc.take())
        let settings = try #require(try await readFrame())
        guard settings.header.type == .settings else { throw RPCError(code: .internalError, message: "expected SETTINGS") }
    }

    /// The next frame, or nil when the server closed the connection (or 30 s passed: generous,
    /// for CI machines running the whole suite on two cores).
    func readFrame() async throws -> Frame? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Wall-clock bound, but a read is always tried after waking: on a loaded machine the
        // task may sleep past the deadline while the bytes already wait in the socket.
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if let f = try decoder.nextFrame() { return f }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 { return nil }
            if n > 0 {
                decoder.append(Array(buffer[..<n]))
                continue
            }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { return nil }
            if ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Reads frames until one matches, returning it (nil if the connection ends first).
    func read(until match: (Frame) -> Bool) async throws -> Frame? {
        while let f = try await readFrame() {
            if match(f) { return f }
        }
        return nil
    }

    func status(on stream: UInt32) async throws -> Portal_Rpc_V1_Status? {
        guard let f = try await read(until: { $0.header.type == .status && $0.header.stream == stream }) else { return nil }
        return try Portal_Rpc_V1_Status(serializedBytes: f.payload)
    }

    func goAway() async throws -> Portal_Rpc_V1_GoAway? {
        guard let f = try await read(until: { $0.header.type == .goAway }) else { return nil }
        return try Portal_Rpc_V1_GoAway(serializedBytes: f.payload)
    }

    static func call(_ method: String, stream: UInt32, timeoutMs: UInt64 = 0, flags: FrameFlags = []) -> [UInt8] {
        var c = Portal_Rpc_V1_Call()
        c.method = method
        c.timeoutMs = timeoutMs
        var enc = FrameEncoder()
        enc.append(.call, stream: stream, flags: flags, message: c)
        return enc.take()
    }

    static func message<M: ProtoMessage>(_ m: M, stream: UInt32, end: Bool = true) -> [UInt8] {
        var enc = FrameEncoder()
        enc.append(.message, stream: stream, flags: end ? .endStream : [], message: m)
        return enc.take()
    }
}

import Testing
