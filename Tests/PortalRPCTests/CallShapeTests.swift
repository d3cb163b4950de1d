import Testing
import PortalRPC

/// Every call shape over real loopback sockets.
@Suite struct CallShapeTests {
    @Test func unaryRoundTripWithMetadata() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            var req = Rpctest_EchoRequest()
            req.text = "salaam"
            let plain = try await echo.get(req)
            #expect(plain.text == "salaam")
            let withAuth = try await echo.get(req, options: RPCCallOptions(metadata: ["Authorization": "Bearer t"]))
            #expect(withAuth.text == "salaam auth=Bearer t")
            #expect(try await echo.get(Rpctest_EchoRequest()).text == "")  // an empty (0-byte) request
        }
    }

    @Test func manyConcurrentUnaryCallsOnOneConnection() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<500 {
                    group.addTask {
                        var req = Rpctest_EchoRequest()
                        req.text = "call \(i)"
                        return try await echo.get(req).text == "call \(i)"
                    }
                }
                var ok = 0
                for try await r in group where r { ok += 1 }
                #expect(ok == 500)
            }
        }
    }

    @Test func serverStreaming() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            var req = Rpctest_EchoRequest()
            req.text = "x"
            req.count = 100
            var indices: [UInt32] = []
            for try await r in try await echo.expand(req) { indices.append(r.index) }
            #expect(indices == Array(0..<100))
        }
    }

    @Test func clientStreaming() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            let r = try await echo.collect { writer in
                for t in ["a", "b", "c"] {
                    var req = Rpctest_EchoRequest()
                    req.text = t
                    try await writer.write(req)
                }
            }
            #expect(r.text == "a,b,c" && r.index == 3)
            let empty = try await echo.collect { _ in }
            #expect(empty.index == 0)
        }
    }

    @Test func bidirectionalStreaming() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            let responses = try await echo.update { writer in
                for t in ["one", "two", "three"] {
                    var req = Rpctest_EchoRequest()
                    req.text = t
                    try await writer.write(req)
                }
            }
            var texts: [String] = []
            for try await r in responses { texts.append(r.text) }
            #expect(texts == ["ONE", "TWO", "THREE"])
        }
    }

    @Test func handlerErrorsBecomeStatuses() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            var req = Rpctest_EchoRequest()
            req.text = "nope"
            req.failCode = UInt32(Status.Code.permissionDenied.rawValue)
            await #expect(throws: RPCError(code: .permissionDenied, message: "asked to fail: nope")) {
                _ = try await echo.get(req)
            }
            // A stream that fails after some messages: the messages arrive, then the error.
            req.count = 3
            req.failCode = UInt32(Status.Code.dataLoss.rawValue)
            var received = 0
            await #expect(throws: RPCError(code: .dataLoss, message: "failed after 3")) {
                for try await _ in try await echo.expand(req) { received += 1 }
            }
            #expect(received == 3)
        }
    }

    @Test func healthCheckAndUnknownService() async throws {
        try await withServer { _, client in
            let health = Grpc_Health_V1_Health_Client(transport: client)
            let status = try await health.check(Grpc_Health_V1_HealthCheckRequest()).status
            #expect(status == .serving)
            var req = Grpc_Health_V1_HealthCheckRequest()
            req.service = "no.such.Service"
            await #expect(throws: RPCError.self) { _ = try await health.check(req) }
        }
    }
}
