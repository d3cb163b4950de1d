#if canImport(Glibc)
import Glibc
#endif
import Testing
import PortalRPC

/// The Prometheus endpoint: call counters and histograms recorded by the server, served over
/// HTTP on a separate port, plus the liveness path and the request limits.
@Suite struct MetricsTests {
    static let get = "/rpctest.Echo/Get"

    @Test func exposesCallsOverHTTP() async throws {
        try await withServer { server, client in
            let http = try MetricsHTTPServer(port: 0) { server.metricsExposition() }
            http.start()
            defer { http.stop() }

            let echo = Rpctest_Echo_Client(transport: client)
            var req = Rpctest_EchoRequest()
            req.text = "hi"
            for _ in 0..<3 { _ = try await echo.get(req) }
            req.failCode = UInt32(Status.Code.notFound.rawValue)
            await #expect(throws: RPCError.self) { _ = try await echo.get(req) }
            // A streaming call: its STATUS is recorded too.
            var stream = Rpctest_EchoRequest()
            stream.count = 2
            var received = 0
            for try await _ in try await echo.expand(stream) { received += 1 }
            #expect(received == 2)

            let response = try await HTTPProbe.exchange(http.localAddress, "GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.head.lowercased().contains("content-type: text/plain; version=0.0.4"))
            #expect(response.head.lowercased().contains("connection: close"))
            let body = response.body
            #expect(body.contains("# TYPE portal_rpc_calls_total counter\n"))
            #expect(body.contains("portal_rpc_calls_total{code=\"OK\",method=\"\(Self.get)\"} 3\n"))
            #expect(body.contains("portal_rpc_calls_total{code=\"NOT_FOUND\",method=\"\(Self.get)\"} 1\n"))
            #expect(body.contains("portal_rpc_calls_total{code=\"OK\",method=\"/rpctest.Echo/Expand\"} 1\n"))
            #expect(body.contains("# TYPE portal_rpc_call_duration_seconds histogram\n"))
            #expect(body.contains("portal_rpc_call_duration_seconds_bucket{le=\"+Inf\",method=\"\(Self.get)\"} 4\n"))
            #expect(body.contains("portal_rpc_call_duration_seconds_bucket{le=\"10\",method=\"\(Self.get)\"} 4\n"))
            #expect(body.contains("portal_rpc_call_duration_seconds_count{method=\"\(Self.get)\"} 4\n"))
            #expect(body.contains("portal_rpc_open_connections 1\n"))
            #expect(body.contains("portal_rpc_shed_calls_total 0\n"))
            #expect(body.contains("# TYPE portal_rpc_inflight_calls gauge\n"))

            let health = try await HTTPProbe.exchange(http.localAddress, "GET /healthz HTTP/1.1\r\n\r\n")
            #expect(health.status == 200)
            #expect(health.body == "ok\n")

            let missing = try await HTTPProbe.exchange(http.localAddress, "GET /nope HTTP/1.1\r\n\r\n")
            #expect(missing.status == 404)

            let post = try await HTTPProbe.exchange(http.localAddress, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            #expect(post.status == 405)

            let oversized = "GET /metrics HTTP/1.1\r\nX-Padding: " + String(repeating: "a", count: 9000) + "\r\n\r\n"
            let refused = try await HTTPProbe.exchange(http.localAddress, oversized)
            #expect(refused.status == 431)

            // Still serving after the refusal.
            #expect(try await HTTPProbe.exchange(http.localAddress, "GET /healthz HTTP/1.0\r\n\r\n").status == 200)
        }
    }

    @Test func labelValuesAreEscaped() {
        #expect(PrometheusText.escapeLabel("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        let metrics = RPCMetrics()
        metrics.record(method: "/x\"y", code: .ok, duration: .milliseconds(3))
        let text = metrics.exposition(prefix: "t_")
        #expect(text.contains("t_calls_total{code=\"OK\",method=\"/x\\\"y\"} 1\n"))
        #expect(text.contains("t_call_duration_seconds_bucket{le=\"0.0025\",method=\"/x\\\"y\"} 0\n"))
        #expect(text.contains("t_call_duration_seconds_bucket{le=\"0.005\",method=\"/x\\\"y\"} 1\n"))
    }
}

/// One HTTP exchange over a raw socket. Reads poll without blocking and sleep between
/// attempts, so no cooperative thread waits in recv.
enum HTTPProbe {
    struct Response {
        var status: Int
        var head: String
        var body: String
    }

    static func exchange(_ address: SocketAddress, _ request: String) async throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(address.port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr)
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else { throw RPCError(code: .unavailable, message: "connect failed") }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n > 0 { sent += n; continue }
            guard n < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { break }  // server closed: read what it said
            try await Task.sleep(for: .milliseconds(2))
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 { break }
            if n > 0 { received += buffer[..<n]; continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { break }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.firstRange(of: "\r\n\r\n") else { return Response(status: 0, head: text, body: "") }
        let head = String(text[..<split.lowerBound])
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Response(status: status, head: head, body: String(text[split.upperBound...]))
    }
}
