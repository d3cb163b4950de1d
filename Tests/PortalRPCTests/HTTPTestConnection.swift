#if canImport(Glibc)
import Glibc
#endif
import PortalRPC

/// A keep-alive HTTP/1.1 connection for gateway tests: sends raw bytes, reads responses one
/// by one (by Content-Length). Reads poll without blocking and sleep between attempts, so no
/// cooperative thread waits in recv.
final class HTTPTestConnection {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var closedByServer = false
    /// Whether that close was an end of stream (a FIN), not a reset or another error.
    private(set) var closedQuietly = false

    /// `receiveBuffer` shrinks the socket's receive buffer, for clients that do not read.
    init(_ address: SocketAddress, receiveBuffer: Int32? = nil) throws {
        fd = try RawConnection.connectLoopback(address)
        if var size = receiveBuffer {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    deinit { Glibc.close(fd) }

    /// Whether the socket is still ESTABLISHED (`RawConnection.isEstablished`).
    var isEstablished: Bool { RawConnection.isEstablished(fd) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// A POST of `body` to `path` with the given content type and extra header lines.
    func post(_ path: String, _ body: [UInt8], contentType: String = "application/proto", headers: [String] = []) {
        var head = "POST \(path) HTTP/1.1\r\nHost: test\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        for h in headers { head += h + "\r\n" }
        send(Array((head + "\r\n").utf8) + body)
    }

    /// Reads more bytes; false when the server closed the connection or `deadline` passed.
    private func fill(until deadline: ContinuousClock.Instant) async throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { buffer += chunk[..<n]; return true }
            if n == 0 { closedByServer = true; closedQuietly = true; return false }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { closedByServer = true; return false }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The next response, or nil if the connection closed (or `timeout` passed) first. A
    /// response to HEAD (`bodyless`) has a Content-Length but no body.
    func response(timeout: Duration = .seconds(30), bodyless: Bool = false) async throws -> Response? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let end = headEnd() {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
                let status = lines[0].split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: [" "])
                }
                let length = bodyless || status == 100 || status == 304 ? 0 : Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < end + 4 + length {
                    guard try await fill(until: deadline) else { return nil }
                }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return Response(status: status, headers: headers, body: body)
            }
            guard try await fill(until: deadline) else { return nil }
        }
    }

    /// Waits until the server closes the connection; false if it is still open at `timeout`.
    func waitForClose(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !closedByServer {
            buffer.removeAll()
            if try await !fill(until: deadline) { return closedByServer }
        }
        return true
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
