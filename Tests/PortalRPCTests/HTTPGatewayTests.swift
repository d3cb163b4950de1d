import PortalRPC
import Synchronization
import Testing

/// Starts a server with the echo service and an HTTP gateway in front of it.
func withGateway<T>(_ configure: (inout ServerConfiguration) -> Void = { _ in },
                    http: (inout HTTPGatewayConfiguration) -> Void = { _ in },
                    echo: EchoService = EchoService(),
                    files: HTTPStaticFiles = HTTPStaticFiles(),
                    _ body: (RPCServer, HTTPGateway) async throws -> T) async throws -> T {
    var config = ServerConfiguration()
    config.port = 0
    config.eventLoops = 1
    configure(&config)
    var router = RPCRouter()
    echo.registerMethods(with: &router)
    HealthService().registerMethods(with: &router)
    let server = try RPCServer(configuration: config, router: router)
    try server.start()
    var httpConfig = HTTPGatewayConfiguration()
    httpConfig.port = 0
    http(&httpConfig)
    let gateway = try HTTPGateway(configuration: httpConfig, server: server, staticFiles: files)
    try gateway.start()
    defer { _ = gateway }
    do {
        let result = try await body(server, gateway)
        await gateway.shutdown(grace: .seconds(2))
        await server.shutdown(grace: .seconds(2))
        return result
    } catch {
        await gateway.shutdown(grace: .seconds(2))
        await server.shutdown(grace: .seconds(2))
        throw error
    }
}

/// The Connect unary calls of the HTTP gateway over real sockets.
@Suite struct HTTPGatewayTests {
    static func echo(_ text: String, failCode: UInt32 = 0, sleepMillis: UInt32 = 0) -> [UInt8] {
        var r = Rpctest_EchoRequest()
        r.text = text
        r.failCode = failCode
        r.count = sleepMillis
        return r.serializedBytes()
    }

    @Test func aProtoCallAnswersWithTheResponseMessageAndHeadersReachTheHandler() async throws {
        try await withGateway { server, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.post("/rpctest.Echo/Get", Self.echo("salaam"), headers: ["Authorization: Bearer t0k3n", "Connect-Protocol-Version: 1"])
            let r = try #require(try await c.response())
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "application/proto")
            #expect(r.headers["x-content-type-options"] == "nosniff")
            #expect(try Rpctest_EchoResponse(serializedBytes: r.body).text == "salaam auth=Bearer t0k3n")
            // Counted with the binary protocol's calls.
            #expect(server.metricsExposition().contains(#"portal_rpc_calls_total{code="OK",method="/rpctest.Echo/Get"} 1"#))
        }
    }

    @Test func aJSONCallTakesAndGivesProto3JSON() async throws {
        try await withGateway { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.post("/rpctest.Echo/Get", Array(#"{"text":"salaam \u00e9","padding":"AAE="}"#.utf8), contentType: "application/json; charset=utf-8")
            let r = try #require(try await c.response())
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "application/json")
            #expect(r.text == #"{"text":"salaam é","padding":"AAE="}"#)
            // A bad field is named in an invalid_argument error; the connection stays usable.
            c.post("/rpctest.Echo/Get", Array(#"{"text":"x","count":"many"}"#.utf8), contentType: "application/json")
            let bad = try #require(try await c.response())
            #expect(bad.status == 400)
            #expect(bad.text.hasPrefix(#"{"code":"invalid_argument","message":"request JSON does not decode: "#))
            #expect(bad.text.contains("count"))
            c.post("/rpctest.Echo/Get", Array(#"{"text":"x","nope":1}"#.utf8), contentType: "application/json")
            let unknown = try #require(try await c.response())
            #expect(unknown.status == 400 && unknown.text.contains("nope"))
            c.post("/rpctest.Echo/Get", Array("{}".utf8), contentType: "application/json; charset=latin1")
            #expect(try await c.response()?.status == 415)
        }
    }

    @Test func handlerErrorsBecomeConnectErrorsWithTheMappedHTTPStatus() async throws {
        let cases: [(Status.Code, Int, String)] = [
            (.invalidArgument, 400, "invalid_argument"), (.notFound, 404, "not_found"), (.permissionDenied, 403, "permission_denied"),
            (.unauthenticated, 401, "unauthenticated"), (.failedPrecondition, 400, "failed_precondition"),
            (.alreadyExists, 409, "already_exists"), (.resourceExhausted, 429, "resource_exhausted"), (.unavailable, 503, "unavailable"),
            (.internalError, 500, "internal"), (.cancelled, 499, "canceled"), (.unimplemented, 501, "unimplemented"),
        ]
        try await withGateway { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            for (code, http, name) in cases {
                c.post("/rpctest.Echo/Get", Self.echo("x<y>", failCode: UInt32(code.rawValue)))
                let r = try #require(try await c.response())
                #expect(r.status == http, "\(code)")
                #expect(r.headers["content-type"] == "application/json")
                #expect(r.text == #"{"code":"\#(name)","message":"asked to fail: x\u003cy\u003e"}"#)
            }
        }
    }

    @Test func requestsThatCannotBeCalledAreRefusedByName() async throws {
        try await withGateway { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.post("/rpctest.Echo/Nope", [])
            var r = try #require(try await c.response())
            #expect(r.status == 501 && r.text.contains("unknown method /rpctest.Echo/Nope"))
            c.post("/rpctest.Echo/Get", [], contentType: "text/plain")
            r = try #require(try await c.response())
            #expect(r.status == 415 && r.headers["accept-post"] == "application/proto, application/json")
            c.post("/rpctest.Echo/Expand", Self.echo("a"))
            r = try #require(try await c.response())
            #expect(r.status == 415 && r.text.contains("streaming method"))
            c.post("/rpctest.Echo/Get", Self.echo("a"), headers: ["Connect-Protocol-Version: 2"])
            r = try #require(try await c.response())
            #expect(r.status == 400 && r.text.contains("connect-protocol-version"))
            c.post("/rpctest.Echo/Get", Self.echo("a"), headers: ["Content-Encoding: gzip"])
            r = try #require(try await c.response())
            #expect(r.status == 501 && r.text.contains("content-encoding gzip"))
            c.post("/rpctest.Echo/Get", [0xFF, 0xFF])
            r = try #require(try await c.response())
            #expect(r.status == 400 && r.text.contains("invalid_argument"))
            c.send("GET /rpctest.Echo/Get HTTP/1.1\r\nHost: t\r\n\r\n")
            r = try #require(try await c.response())
            #expect(r.status == 405 && r.headers["allow"] == "POST")
            c.send("DELETE /x HTTP/1.1\r\nHost: t\r\n\r\n")
            r = try #require(try await c.response())
            #expect(r.status == 405)
            // All of these kept the connection usable.
            c.post("/rpctest.Echo/Get", Self.echo("still here"))
            r = try #require(try await c.response())
            #expect(r.status == 200)
        }
    }

    @Test func keepAliveServesPipelinedRequestsInOrder() async throws {
        try await withGateway { _, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            var batch: [UInt8] = []
            for i in 0..<20 {
                let body = Self.echo("n\(i)", sleepMillis: UInt32(i % 3))
                batch += Array("POST /rpctest.Echo/Get HTTP/1.1\r\nHost: t\r\nContent-Type: application/proto\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            }
            c.send(batch)
            for i in 0..<20 {
                let r = try #require(try await c.response())
                #expect(try Rpctest_EchoResponse(serializedBytes: r.body).text == "n\(i)")
            }
            c.send("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let last = try #require(try await c.response())
            #expect(last.status == 404 && last.headers["connection"] == "close")
            #expect(try await c.waitForClose(timeout: .seconds(5)))
        }
    }

    @Test func aConnectTimeoutEndsTheCallWithDeadlineExceeded() async throws {
        try await withGateway { server, gateway in
            let c = try HTTPTestConnection(gateway.localAddress)
            c.post("/rpctest.Echo/Get", Self.echo("slow", sleepMillis: 20_000), headers: ["Connect-Timeout-Ms: 100"])
            let r = try #require(try await c.response(timeout: .seconds(10)))
            #expect(r.status == 504 && r.text.contains("deadline_exceeded"))
            c.post("/rpctest.Echo/Get", [], headers: ["Connect-Timeout-Ms: -5"])
            let bad = try #require(try await c.response())
            #expect(bad.status == 400)
            // The cancelled handler gave its admission slot back.
            for _ in 0..<500 where server.inFlightCalls > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.inFlightCalls == 0)
        }
    }

    @Test func overloadIsShedWith429() async throws {
        let release = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let started = Mutex(false)
        let echo = EchoService(onStart: { _ in started.withLock { $0 = true } }, hold: { text in
            guard text == "hold" else { return }
            await withCheckedContinuation { c in release.withLock { $0 = c } }
        })
        try await withGateway({ $0.maxInFlightCalls = 1 }, echo: echo) { server, gateway in
            let holder = try HTTPTestConnection(gateway.localAddress)
            holder.post("/rpctest.Echo/Get", Self.echo("hold"))
            for _ in 0..<1000 where release.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(5)) }
            let c = try HTTPTestConnection(gateway.localAddress)
            c.post("/rpctest.Echo/Get", Self.echo("second"))
            let shed = try #require(try await c.response())
            #expect(shed.status == 429 && shed.text.contains(RPCServer.overloadedMessage))
            release.withLock { $0?.resume(); $0 = nil }
            let held = try #require(try await holder.response())
            #expect(held.status == 200)
            #expect(server.shedCalls == 1)
        }
        #expect(started.withLock { $0 })
    }
}
