#if canImport(Glibc)
import Glibc
#endif
import CPortalSystem
import Synchronization

/// A minimal HTTP/1.1 endpoint for scrapers and probes, on its own port and its own thread
/// (blocking accept, read and write; never an event loop or the cooperative pool):
///
/// - `GET /metrics`: 200, `text/plain; version=0.0.4`, the text `exposition` returns
/// - `GET /healthz`: 200 `ok`
/// - any other path: 404; a method other than GET or HEAD: 405; a malformed request: 400
///
/// One connection is served at a time, with `Connection: close`. A request (line and
/// headers) may be at most `maxRequestSize` bytes (larger: 431) and must arrive within
/// `readTimeout` (SO_RCVTIMEO per read, and in total), so a slow client holds the thread
/// for at most that long.
public final class MetricsHTTPServer: Sendable {
    public static let maxRequestSize = 8 * 1024
    public static let readTimeout: Duration = .seconds(2)

    public let localAddress: SocketAddress
    private let listenFD: Int32
    private let exposition: @Sendable () -> String
    private let stopped = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    /// Binds `host:port` (port 0 picks a free one; see `localAddress`). `exposition` runs on
    /// the server's thread for every `/metrics` request.
    public init(host: String = "127.0.0.1", port: Int, exposition: @escaping @Sendable () -> String) throws {
        self.exposition = exposition
        (listenFD, localAddress) = try Sys.listeningSocket(host: host, port: port, backlog: 64, nonBlocking: false)
    }

    deinit {
        if !started.load(ordering: .relaxed) { Sys.close(listenFD) }
    }

    /// Starts the serving thread (once).
    public func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        let box = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        pthread_create(&tid, nil, { raw in
            let server = Unmanaged<MetricsHTTPServer>.fromOpaque(raw!).takeRetainedValue()
            server.run()
            return nil
        }, box)
        pthread_detach(tid)
    }

    /// Stops accepting; the thread closes the socket and ends after the request it is serving.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        if started.load(ordering: .relaxed) {
            _ = shutdown(listenFD, Int32(SHUT_RDWR))  // wakes the blocking accept
        }
    }

    private func run() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept4(listenFD, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            if client < 0 {
                let e = errno
                if stopped.load(ordering: .relaxed) { break }
                switch e {
                case EINTR, ECONNABORTED, EPROTO, EPERM: continue
                default: usleep(100_000)  // EMFILE, ENOBUFS...: back off and retry
                }
                continue
            }
            serve(client)
            Sys.close(client)
        }
        Sys.close(listenFD)
    }

    // MARK: One request

    private func serve(_ fd: Int32) {
        var timeout = timeval(tv_sec: Int(Self.readTimeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        switch readRequest(fd) {
        case .tooLarge:
            respond(fd, 431, "Request Header Fields Too Large", body: "request larger than \(Self.maxRequestSize) bytes\n")
        case .malformed:
            respond(fd, 400, "Bad Request", body: "bad request\n")
        case .gone:
            return
        case .request(let method, let target):
            let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
            let head = method == "HEAD"
            guard method == "GET" || head else {
                respond(fd, 405, "Method Not Allowed", body: "method not allowed\n", extra: "Allow: GET, HEAD\r\n")
                return
            }
            switch path {
            case "/metrics":
                respond(fd, 200, "OK", body: exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8", head: head)
            case "/healthz":
                respond(fd, 200, "OK", body: "ok\n", head: head)
            default:
                respond(fd, 404, "Not Found", body: "not found\n", head: head)
            }
        }
    }

    enum Request: Equatable {
        case request(method: String, target: String)
        case tooLarge, malformed, gone
    }

    /// Reads the request line and headers (a body, if any, is ignored).
    private func readRequest(_ fd: Int32) -> Request {
        let deadline = ContinuousClock.now + Self.readTimeout
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while true {
            if let end = Self.headerEnd(data) { return Self.parse(data[..<end]) }
            if data.count > Self.maxRequestSize { return .tooLarge }
            if ContinuousClock.now >= deadline { return .gone }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return .gone }  // closed, reset, or SO_RCVTIMEO passed
            data += chunk[..<n]
        }
    }

    /// The index just past the blank line ending the headers, if it is in `data`.
    static func headerEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 3..<data.count where data[i] == 10 {
            if data[i - 1] == 10 { return i + 1 }  // bare LF LF
            if data[i - 1] == 13 && data[i - 2] == 10 && data[i - 3] == 13 { return i + 1 }
        }
        return nil
    }

    static func parse(_ head: ArraySlice<UInt8>) -> Request {
        guard head.count <= maxRequestSize else { return .tooLarge }
        let line = head.prefix { $0 != 13 && $0 != 10 }
        let parts = line.split(separator: 32, omittingEmptySubsequences: true)
        guard parts.count == 3,
              let method = String(validating: parts[0], as: UTF8.self),
              let target = String(validating: parts[1], as: UTF8.self),
              let version = String(validating: parts[2], as: UTF8.self),
              version.hasPrefix("HTTP/1."), target.hasPrefix("/") else { return .malformed }
        return .request(method: method, target: target)
    }

    private func respond(_ fd: Int32, _ code: Int, _ reason: String, body: String,
                         contentType: String = "text/plain; charset=utf-8", extra: String = "", head: Bool = false) {
        let bodyBytes = Array(body.utf8)
        var out = Array("""
        HTTP/1.1 \(code) \(reason)\r
        Content-Type: \(contentType)\r
        Content-Length: \(bodyBytes.count)\r
        Connection: close\r
        \(extra)\r

        """.utf8)
        if !head { out += bodyBytes }
        var sent = 0
        while sent < out.count {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            sent += n
        }
        _ = shutdown(fd, Int32(SHUT_WR))
        lingeringClose(fd)
    }

    /// Reads (and drops) what the client still sends, briefly, before the socket is closed:
    /// closing with unread input would reset the connection and could destroy the response
    /// before the client reads it (a refused oversized request, a body we ignore).
    private func lingeringClose(_ fd: Int32) {
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var chunk = [UInt8](repeating: 0, count: 4096)
        var drained = 0
        while drained < 64 * 1024 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            drained += n
        }
    }
}
