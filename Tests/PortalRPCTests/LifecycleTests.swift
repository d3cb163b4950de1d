import Synchronization
import Testing
import PortalRPC

/// Deadlines, cancellation, slow readers and graceful shutdown.
@Suite struct LifecycleTests {
    @Test func deadlineExceededReachesTheCaller() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            var req = Rpctest_EchoRequest()
            req.count = 120_000  // the handler would sleep 2 min; the deadline must cut it short
            let start = ContinuousClock.now
            await #expect(throws: RPCError.self) {
                _ = try await echo.get(req, options: RPCCallOptions(timeout: .milliseconds(100)))
            }
            #expect(ContinuousClock.now - start < .seconds(60))
            do {
                _ = try await echo.get(req, options: RPCCallOptions(timeout: .milliseconds(100)))
            } catch let e as RPCError {
                #expect(e.code == .deadlineExceeded)
            }
        }
    }

    @Test func deadlineCancelsTheHandlerTask() async throws {
        try await withServer { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var req = Rpctest_EchoRequest()
            req.count = 120_000  // 2 min, unless the deadline cuts it short
            raw.send(RawConnection.call("/rpctest.Echo/Get", stream: 1, timeoutMs: 50) + RawConnection.message(req, stream: 1))
            let start = ContinuousClock.now
            let s = try #require(try await raw.status(on: 1))
            #expect(s.code == UInt32(Status.Code.deadlineExceeded.rawValue))
            #expect(ContinuousClock.now - start < .seconds(60))
        }
    }

    @Test func cancellingTheClientTaskCancelsTheCall() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            var req = Rpctest_EchoRequest()
            req.count = 120_000  // 2 min, unless cancellation cuts it short
            let task = Task { try await echo.get(req) }
            try await Task.sleep(for: .milliseconds(50))
            task.cancel()
            let start = ContinuousClock.now
            let result = await task.result
            #expect(ContinuousClock.now - start < .seconds(60))
            guard case .failure(let e as RPCError) = result else { Issue.record("expected RPCError"); return }
            #expect(e.code == .cancelled)
        }
    }

    @Test func aStalledReaderDoesNotStallOtherStreams() async throws {
        try await withServer({ $0.initialWindowSize = 64 * 1024 }) { server, client in
            // A raw client opens a big stream and never reads or grants credit.
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var req = Rpctest_EchoRequest()
            req.count = 1000
            req.padding = [UInt8](repeating: 7, count: 16 * 1024)
            raw.send(RawConnection.call("/rpctest.Echo/Expand", stream: 1) + RawConnection.message(req, stream: 1))
            try await Task.sleep(for: .milliseconds(100))
            // Meanwhile, other clients stream and call normally.
            let echo = Rpctest_Echo_Client(transport: client)
            var small = Rpctest_EchoRequest()
            small.count = 200
            var n = 0
            for try await _ in try await echo.expand(small) { n += 1 }
            #expect(n == 200)
            #expect(try await echo.get(Rpctest_EchoRequest()).text == "")
        }
    }

    @Test func shutdownLetsInFlightCallsFinishAndRefusesNewOnes() async throws {
        var config = ServerConfiguration()
        config.port = 0
        var router = RPCRouter()
        let started = Mutex(false)
        EchoService(onStart: { text in if text == "slow" { started.withLock { $0 = true } } }).registerMethods(with: &router)
        let server = try RPCServer(configuration: config, router: router)
        try server.start()
        let client = try RPCClient(target: server.localAddress)
        let echo = Rpctest_Echo_Client(transport: client)
        var slow = Rpctest_EchoRequest()
        slow.text = "slow"
        slow.count = 300
        async let inFlight = echo.get(slow)
        for _ in 0..<500 where !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        let raw = try RawConnection(server.localAddress)
        try await raw.handshake()
        async let stopped: Void = server.shutdown(grace: .seconds(5))
        #expect(try await inFlight.text == "slow")
        let g = try #require(try await raw.goAway())
        #expect(g.code == UInt32(Status.Code.unavailable.rawValue))
        await stopped
        #expect(server.connectionCount == 0)
        client.close()
    }
}

@Suite struct KeepaliveTests {
    @Test func silentClientsArePingedAndDroppedIfTheyDoNotAnswer() async throws {
        try await withServer({ $0.keepaliveInterval = .milliseconds(100); $0.keepaliveTimeout = .milliseconds(100) }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            let ping = try #require(try await raw.read { $0.header.type == .ping })
            #expect(!ping.header.flags.contains(.ack) && ping.payload.count == 8)
            // We never answer: the server closes the connection.
            #expect(try await raw.readFrame() == nil)
        }
    }

    @Test func clientsThatAnswerStayConnected() async throws {
        try await withServer({ $0.keepaliveInterval = .milliseconds(100); $0.keepaliveTimeout = .seconds(30) }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            for _ in 0..<3 {
                let ping = try #require(try await raw.read { $0.header.type == .ping })
                var enc = FrameEncoder()
                enc.append(.ping, stream: 0, flags: .ack, payload: ping.payload)
                raw.send(enc.take())
            }
            raw.send(RawConnection.call("/rpctest.Echo/Get", stream: 1) + RawConnection.message(Rpctest_EchoRequest(), stream: 1))
            #expect(try await raw.status(on: 1)?.code == 0)
        }
    }

    @Test func idleConnectionsGetGoAwayAndClose() async throws {
        try await withServer({ $0.idleTimeout = .milliseconds(150) }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            let g = try #require(try await raw.goAway())
            #expect(g.code == 0 && g.message == "idle timeout")
            #expect(try await raw.readFrame() == nil)
        }
    }
}

@Suite struct ReconnectTests {
    @Test func aClientReconnectsAfterTheServerRestarts() async throws {
        var config = ServerConfiguration()
        config.port = 0
        var router = RPCRouter()
        EchoService().registerMethods(with: &router)
        let first = try RPCServer(configuration: config, router: router)
        try first.start()
        let port = first.localAddress.port
        var clientConfig = ClientConfiguration()
        clientConfig.initialBackoff = .milliseconds(20)
        let client = try RPCClient(target: first.localAddress, configuration: clientConfig)
        let echo = Rpctest_Echo_Client(transport: client)
        #expect(try await echo.get(Rpctest_EchoRequest()).text == "")
        await first.shutdown(grace: .milliseconds(100))
        // Down: calls fail UNAVAILABLE.
        do {
            _ = try await echo.get(Rpctest_EchoRequest())
            Issue.record("expected the call to fail while the server is down")
        } catch let e as RPCError {
            #expect(e.code == .unavailable)
        }
        config.port = port
        let second = try RPCServer(configuration: config, router: router)
        try second.start()
        var answered = false
        for _ in 0..<50 where !answered {
            answered = (try? await echo.get(Rpctest_EchoRequest())) != nil
            if !answered { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(answered)
        client.close()
        await second.shutdown(grace: .milliseconds(100))
    }
}
