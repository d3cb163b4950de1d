import PortalRPC
import Testing

/// The gateway's limits and timeouts against clients that misbehave, and its static files.
@Suite struct HTTPGatewayHostileTests {
    @Test func aSlowHeadGets408AndTheConnectionIsClosed() async throws {
        try await withGateway(http: { $0.headTimeout = .milliseconds(300) }) { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.send("POST /rpctest.Echo/Get HTTP/1.1\r\nHost: t\r\n")  // and then nothing
            let r = try #require(try await c.response(timeout: .seconds(10)))
            #expect(r.status == 408 && r.headers["connection"] == "close")
            #expect(try await c.waitForClose(timeout: .seconds(5)))
        }
    }

    @Test func aBodyThatNeverCompletesGets408() async throws {
        try await withGateway(http: { $0.bodyTimeout = .milliseconds(300) }) { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.send("POST /rpctest.Echo/Get HTTP/1.1\r\nHost: t\r\nContent-Type: application/proto\r\nContent-Length: 100\r\n\r\nabc")
            let r = try #require(try await c.response(timeout: .seconds(10)))
            #expect(r.status == 408)
        }
    }

    @Test func anOversizedBodyIsRefusedBeforeItIsSent() async throws {
        try await withGateway(http: { $0.maxBodySize = 1024 }) { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            // With Expect: 100-continue the client sends nothing more unless told to: the 413
            // must come instead of the 100, from the declared length alone.
            c.send("POST /rpctest.Echo/Get HTTP/1.1\r\nHost: t\r\nContent-Type: application/proto\r\nContent-Length: 5000000\r\n"
                + "Expect: 100-continue\r\n\r\n")
            let r = try #require(try await c.response(timeout: .seconds(10)))
            #expect(r.status == 413 && r.text.contains("at most 1024 bytes"))
            #expect(try await c.waitForClose(timeout: .seconds(5)))
        }
    }

    @Test func expectContinueGetsAnInterimResponseThenTheAnswer() async throws {
        try await withGateway { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            let body = HTTPGatewayTests.echo("patient")
            c.send("POST /rpctest.Echo/Get HTTP/1.1\r\nHost: t\r\nContent-Type: application/proto\r\nContent-Length: \(body.count)\r\n"
                + "Expect: 100-continue\r\n\r\n")
            let interim = try #require(try await c.response())
            #expect(interim.status == 100)
            c.send(body)
            let r = try #require(try await c.response())
            #expect(r.status == 200)
            #expect(try Rpctest_EchoResponse(serializedBytes: r.body).text == "patient")
        }
    }

    @Test func garbageAndTheBinaryPrefaceGet400AndAClose() async throws {
        try await withGateway { _, gateway in
            // Our binary preface is answered at once, though it holds no blank line.
            for junk: [UInt8] in [[0x50, 0x52, 0x50, 0x43, 0x0D, 0x0A, 0x1A, 0x01], [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03, 10, 13, 10, 13, 10],
                                  Array("GET / HTTP/1.1\nHost: t\n\n".utf8)] {
                let c = try HTTPTestConnection(gateway.localAddress)
                c.send(junk)
                let r = try #require(try await c.response(timeout: .seconds(5)))  // the head timeout is 10 s
                #expect(r.status == 400)
                #expect(try await c.waitForClose(timeout: .seconds(5)))
            }
        }
    }

    @Test func idleKeptAliveConnectionsAreClosed() async throws {
        try await withGateway(http: { $0.idleTimeout = .seconds(1) }) { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await c.response()?.status == 404)
            #expect(try await c.waitForClose(timeout: .seconds(10)))
            for _ in 0..<200 where gateway.connectionCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(gateway.connectionCount == 0)
        }
    }

    @Test func connectionsBeyondTheLimitAreClosedAndOthersKeepWorking() async throws {
        try await withGateway(http: { $0.maxConnections = 2 }) { _, gateway in
            let a = try HTTPTestConnection(gateway.localAddress)
            let b = try HTTPTestConnection(gateway.localAddress)
            for _ in 0..<200 where gateway.connectionCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
            let refused = try HTTPTestConnection(gateway.localAddress)
            #expect(try await refused.waitForClose(timeout: .seconds(5)))
            for c in [a, b] {
                c.post("/rpctest.Echo/Get", HTTPGatewayTests.echo("ok"))
                #expect(try await c.response()?.status == 200)
            }
            #expect(gateway.metricsExposition().contains("portal_http_refused_connections_total 1"))
        }
    }

    /// A client that pipelines requests for large answers and reads none: the gateway stops
    /// reading once an answer waits (so it holds one answer, not 400), and drops the client
    /// when the socket has taken nothing for the write-stall timeout, not the idle timeout,
    /// with a reset the client sees at once.
    @Test func aClientThatNeverReadsIsNotReadEitherAndIsDroppedAtTheStallTimeout() async throws {
        var files = HTTPStaticFiles()
        files.add(path: "/static/big.js", body: [UInt8](repeating: 0x20, count: 256 * 1024))
        try await withGateway(http: { $0.writeStallTimeout = .milliseconds(500); $0.idleTimeout = .seconds(60) },
                              files: files) { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress, receiveBuffer: 4096)
            // 14 KB of requests ask for 100 MiB of answers.
            c.send(String(repeating: "GET /static/big.js HTTP/1.1\r\nHost: t\r\n\r\n", count: 400))
            _ = await eventually(.seconds(10)) { Self.answered(gateway, statusClass: "2xx") > 0 }
            _ = await eventually(.seconds(10)) { gateway.connectionCount == 0 }
            #expect(gateway.connectionCount == 0, "still open 10 s after the client stopped taking output")
            // The gateway read the whole pipeline, so a plain close would send a FIN queued
            // behind megabytes the client never takes: it must reset, and the client see it.
            #expect(!c.isEstablished, "the client was not told: its socket is still established")
            let answered = Self.answered(gateway, statusClass: "2xx")
            #expect(answered >= 1 && answered < 50, "\(answered) of 400 pipelined requests were answered")
        }
    }

    /// A few pipelined answers that all fit in the kernel's send buffer, and a client that
    /// takes none: nothing waits in the gateway, so no write stalls, but the kernel holds the
    /// answers. At the idle timeout the gateway sees that queue, gives it the write-stall
    /// timeout to shrink, and resets the connection when it has not; a plain close would
    /// leave the client established (its FIN behind the answers) and the kernel holding them.
    @Test func answersTheKernelHoldsForAClientThatTakesNoneEndInAReset() async throws {
        var files = HTTPStaticFiles()
        files.add(path: "/static/mid.js", body: [UInt8](repeating: 0x20, count: 32 * 1024))
        // The idle timeout is long enough that a loaded machine still sends the requests
        // before it (the idle clock starts at accept).
        try await withGateway(http: { $0.writeStallTimeout = .milliseconds(300); $0.idleTimeout = .seconds(1) },
                              files: files) { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress, receiveBuffer: 4096)
            c.send(String(repeating: "GET /static/mid.js HTTP/1.1\r\nHost: t\r\n\r\n", count: 3))
            _ = await eventually(.seconds(10)) { Self.answered(gateway, statusClass: "2xx") >= 3 }
            #expect(Self.answered(gateway, statusClass: "2xx") == 3)
            _ = await eventually(.seconds(10)) { gateway.connectionCount == 0 }
            #expect(gateway.connectionCount == 0, "still open 10 s after the client stopped taking output")
            #expect(!c.isEstablished, "the client was not told: its socket is still established")
        }
    }

    /// The idle timeout after answers the client did take is a quiet close, not a reset: the
    /// client reads its answer, then end of stream.
    @Test func anIdleConnectionWhoseAnswersWereTakenClosesQuietly() async throws {
        try await withGateway(http: { $0.idleTimeout = .seconds(1) }) { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.send("GET /no-such-page HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await c.response()?.status == 404)
            #expect(try await c.waitForClose(timeout: .seconds(10)))
            #expect(c.closedQuietly, "the idle close was a reset")
        }
    }

    static func answered(_ gateway: HTTPGateway, statusClass: String) -> Int {
        let prefix = "portal_http_requests_total{class=\"\(statusClass)\"} "
        let line = gateway.metricsExposition().split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    @Test func staticFilesAreServedWithValidatorsAndAPolicy() async throws {
        var files = HTTPStaticFiles()
        files.add(path: "/dashboard/index.html", body: Array("<!doctype html><title>DC</title>".utf8))
        files.add(path: "/static/app.js", body: Array("export {}".utf8))
        try await withGateway(files: files) { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.send("GET /dashboard/ HTTP/1.1\r\nHost: t\r\n\r\n")
            let page = try #require(try await c.response())
            #expect(page.status == 200 && page.text.contains("<title>DC</title>"))
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
            #expect(page.headers["x-frame-options"] == "DENY")
            let etag = try #require(page.headers["etag"])
            c.send("GET /dashboard/index.html HTTP/1.1\r\nHost: t\r\nIf-None-Match: \(etag)\r\n\r\n")
            #expect(try await c.response()?.status == 304)
            c.send("HEAD /static/app.js HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try #require(try await c.response(bodyless: true))
            #expect(head.status == 200 && head.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(head.headers["content-length"] == "9" && head.body.isEmpty)
            c.send("GET /dashboard HTTP/1.1\r\nHost: t\r\n\r\n")
            let redirect = try #require(try await c.response())
            #expect(redirect.status == 308 && redirect.headers["location"] == "/dashboard/")
            c.send("GET /static/../dashboard/index.html HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await c.response()?.status == 404)  // paths are table keys, never file names
            c.post("/static/app.js", [])
            #expect(try await c.response()?.status == 405)
        }
    }
}
