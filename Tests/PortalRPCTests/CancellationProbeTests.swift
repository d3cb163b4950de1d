import Synchronization
import Testing
import PortalRPC

/// An echo service whose handlers wait until cancelled and record that they saw it, so tests
/// can assert that deadlines, CANCEL and dropped connections reach the handler's task.
final class CancellationProbe: Rpctest_Echo_Handler {
    let seen = Mutex<[String]>([])

    func waitForCancellation(_ label: String) async {
        seen.withLock { $0.append("started:" + label) }
        do {
            try await Task.sleep(for: .seconds(30))
        } catch {
            seen.withLock { $0.append(label) }
        }
    }

    func get(request: Rpctest_EchoRequest, context: RPCServerContext) async throws -> Rpctest_EchoResponse {
        await waitForCancellation(request.text)
        throw CancellationError()
    }

    func expand(request: Rpctest_EchoRequest, response: RPCWriter<Rpctest_EchoResponse>, context: RPCServerContext) async throws {
        await waitForCancellation(request.text)
    }

    func collect(requests: RPCStream<Rpctest_EchoRequest>, context: RPCServerContext) async throws -> Rpctest_EchoResponse {
        await waitForCancellation("collect")
        return Rpctest_EchoResponse()
    }

    func update(requests: RPCStream<Rpctest_EchoRequest>, response: RPCWriter<Rpctest_EchoResponse>, context: RPCServerContext) async throws {
        await waitForCancellation("update")
    }

    /// Waits until `label` was recorded, at most 30 s (a positive outcome: generous, for a
    /// loaded CI machine; the handlers' own sleep, which cancellation cuts short, is 30 s too,
    /// and they record nothing if it runs out).
    func observed(_ label: String) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while !seen.withLock({ $0.contains(label) }) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}

@Suite struct CancellationProbeTests {
    func request(_ text: String) -> Rpctest_EchoRequest {
        var r = Rpctest_EchoRequest()
        r.text = text
        return r
    }

    @Test func deadlineCancelsTheHandler() async throws {
        let probe = CancellationProbe()
        try await withServer(register: { probe.registerMethods(with: &$0) }) { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            _ = try? await echo.get(request("deadline"), options: RPCCallOptions(timeout: .milliseconds(50)))
            #expect(await probe.observed("deadline"))
        }
    }

    @Test func clientCancelReachesTheHandler() async throws {
        let probe = CancellationProbe()
        try await withServer(register: { probe.registerMethods(with: &$0) }) { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            let task = Task { try await echo.get(request("cancel")) }
            #expect(await probe.observed("started:cancel"))
            task.cancel()
            _ = await task.result
            #expect(await probe.observed("cancel"))
            // A server stream the caller stops reading is cancelled too.
            let stream = Task {
                for try await _ in try await echo.expand(request("stream")) {}
            }
            #expect(await probe.observed("started:stream"))
            stream.cancel()
            _ = await stream.result
            #expect(await probe.observed("stream"))
        }
    }

    @Test func droppedConnectionCancelsTheHandler() async throws {
        let probe = CancellationProbe()
        try await withServer(register: { probe.registerMethods(with: &$0) }) { server, _ in
            var raw: RawConnection? = try RawConnection(server.localAddress)
            try await raw!.handshake()
            raw!.send(RawConnection.call("/rpctest.Echo/Get", stream: 1) + RawConnection.message(request("dropped"), stream: 1))
            #expect(await probe.observed("started:dropped"))
            raw = nil  // closes the socket
            #expect(await probe.observed("dropped"))
        }
    }
}

@Suite struct RawCancelProbe {
    @Test func rawCancelFrameReachesTheHandler() async throws {
        let probe = CancellationProbe()
        try await withServer(register: { probe.registerMethods(with: &$0) }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var r = Rpctest_EchoRequest()
            r.text = "raw-cancel"
            raw.send(RawConnection.call("/rpctest.Echo/Get", stream: 1) + RawConnection.message(r, stream: 1))
            #expect(await probe.observed("started:raw-cancel"))
            var enc = FrameEncoder()
            enc.append(.cancel, stream: 1)
            raw.send(enc.take())
            #expect(try await raw.status(on: 1)?.code == UInt32(Status.Code.cancelled.rawValue))
            #expect(await probe.observed("raw-cancel"))
        }
    }
}
