#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import PortalRPC

/// The server's defences against slow and greedy clients (docs/RELIABILITY.md): the
/// partial-frame timeout (slowloris), output that a client does not read (read pausing, the
/// write-stall timeout, the outbound cap), descriptor exhaustion on accept, and admission
/// control. Tests/Reliability/hostile_traffic.py drives the same attacks against a real
/// portal-server process.
@Suite struct HardeningTests {
    static let get = "/rpctest.Echo/Get"

    func request(_ text: String, sleepMillis: UInt32 = 0) -> Rpctest_EchoRequest {
        var r = Rpctest_EchoRequest()
        r.text = text
        r.count = sleepMillis
        return r
    }

    func stillServing(_ client: RPCClient) async throws {
        #expect(try await Rpctest_Echo_Client(transport: client).get(request("alive")).text == "alive")
    }

    // MARK: Slowloris

    @Test func aFrameThatStaysIncompleteEndsTheConnection() async throws {
        try await withServer({ $0.partialFrameTimeout = .milliseconds(300) }) { server, client in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            // A CALL dripped one byte every 100 ms: 40+ bytes would take 4 s.
            // The server must end the connection while the frame is still incomplete: what is
            // asserted is how much of the frame was sent, not wall-clock time (a loaded machine
            // stretches every sleep).
            let call = RawConnection.call(Self.get, stream: 1)
            var sent = 0
            for b in call {
                raw.send([b])
                sent += 1
                try await Task.sleep(for: .milliseconds(100))
                var peek: UInt8 = 0
                if recv(raw.fd, &peek, 1, Int32(MSG_DONTWAIT | MSG_PEEK)) >= 0 { break }  // GOAWAY or EOF
            }
            #expect(sent < call.count, "the connection outlived the whole drip")
            let g = try #require(try await raw.goAway())
            #expect(g.code == UInt32(Status.Code.unavailable.rawValue))
            #expect(g.message.contains("incomplete"))
            #expect(try await raw.readFrame() == nil)  // closed
            try await stillServing(client)
        }
    }

    @Test func idleConnectionsAreNotSlowloris() async throws {
        try await withServer({ $0.partialFrameTimeout = .seconds(1) }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            // Between frames the clock does not run: silence longer than the timeout is fine (a
            // loaded machine only makes it longer). The frame after it goes in one write, so
            // it never waits half-sent however slowly this task runs.
            try await Task.sleep(for: .milliseconds(1500))
            raw.send(RawConnection.call(Self.get, stream: 1) + RawConnection.message(request("after silence"), stream: 1))
            let answer = try await raw.read { $0.header.type == .status || $0.header.type == .goAway }
            #expect(answer?.header.type == .status && answer?.header.stream == 1, "\(Self.describe(answer))")
        }
    }

    @Test func steadyConnectionsAreNotSlowloris() async throws {
        // Each frame below takes ~0.2 s to send; 30 s allowed per frame, because this task can
        // be held up for seconds while heavier tests share two cores (5 s was not enough).
        try await withServer({ $0.partialFrameTimeout = .seconds(30) }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            // Frames that each complete in time, even split over many writes, are served.
            for i in 0..<3 {
                let id = UInt32(2 * i + 1)
                let bytes = RawConnection.call(Self.get, stream: id) + RawConnection.message(request("steady"), stream: id)
                for part in stride(from: 0, to: bytes.count, by: 8) {
                    raw.send(Array(bytes[part..<min(part + 8, bytes.count)]))
                    try await Task.sleep(for: .milliseconds(20))
                }
                let answer = try await raw.read { $0.header.type == .status || $0.header.type == .goAway }
                #expect(answer?.header.type == .status && answer?.header.stream == id, "frame \(i): \(Self.describe(answer))")
                if let answer, answer.header.type == .status {
                    #expect(try Portal_Rpc_V1_Status(serializedBytes: answer.payload).code == 0)
                }
                try await Task.sleep(for: .milliseconds(300))
            }
        }
    }

    static func describe(_ frame: Frame?) -> String {
        frame.map { "\($0.header.type.map { "\($0)" } ?? "?") " + String(decoding: $0.payload, as: UTF8.self) } ?? "connection closed"
    }

    @Test func anOversizeMessageBeingSkippedCountsAsIncomplete() async throws {
        try await withServer({ $0.partialFrameTimeout = .milliseconds(300) }) { server, client in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            // A MESSAGE announcing 2^32-1 bytes: the stream is refused at once and the
            // payload skipped as it arrives; it never arrives, so the connection ends.
            var header: [UInt8] = []
            FrameHeader(length: Int(UInt32.max), stream: 1, type: .message).append(to: &header)
            raw.send(RawConnection.call("/rpctest.Echo/Collect", stream: 1) + header + [1, 2, 3])
            #expect(try await raw.status(on: 1)?.code == UInt32(Status.Code.resourceExhausted.rawValue))
            let g = try #require(try await raw.goAway())
            #expect(g.code == UInt32(Status.Code.unavailable.rawValue))
            try await stillServing(client)
        }
    }

    // MARK: Clients that do not read

    @Test func aPingFloodThatIsNeverReadPausesReadingAndIsDropped() async throws {
        // When the flood tears mid-frame (the kernel took part of a burst), the partial-frame
        // timeout ends it instead: either way the connection goes, promptly.
        try await withServer({ $0.writeStallTimeout = .milliseconds(500); $0.partialFrameTimeout = .seconds(1) }) { server, client in
            try await stillServing(client)
            let baseline = server.connectionCount
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var small: Int32 = 4096
            setsockopt(raw.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var enc = FrameEncoder()
            for _ in 0..<(64 * 1024) { enc.append(.ping, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8]) }
            let burst = enc.take()  // 1.25 MiB of PINGs, 1.25 MiB of ACKs to answer
            // Send until the server stops taking them (it pauses reading once 1 MiB of ACKs
            // waits); never read a byte.
            var sent = 0
            var stuckSince: ContinuousClock.Instant?
            while sent < 64 * burst.count {
                let n = burst.withUnsafeBytes { Glibc.send(raw.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
                if n > 0 {
                    sent += n
                    stuckSince = nil
                    // Keep frame alignment: finish a partial burst blockingly is not possible
                    // without blocking, so only whole bursts count; a torn one ends the flood.
                    if n < burst.count { break }
                } else {
                    if stuckSince == nil { stuckSince = .now }
                    if ContinuousClock.now - stuckSince! > .milliseconds(300) { break }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            #expect(sent < 64 * burst.count, "the server kept reading PINGs whose answers nobody read")
            // It is closed by the write-stall timeout, and the others are served throughout.
            #expect(await eventually(.seconds(60)) { server.connectionCount == baseline })
            try await stillServing(client)
            withExtendedLifetime(raw) {}
        }
    }

    /// Answers that all went to the kernel, for a client that takes none of them, then
    /// silence: at the idle timeout the kernel still holds them, so the connection counts as
    /// stalled and is reset once that queue has not shrunk for the write-stall timeout. A
    /// GOAWAY and a close would wait behind those answers: the client would stay connected
    /// and the kernel keep them.
    @Test func anIdleConnectionWhoseAnswersWereNeverTakenIsReset() async throws {
        try await withServer({ $0.idleTimeout = .milliseconds(500); $0.writeStallTimeout = .milliseconds(300) }) { server, client in
            let raw = try RawConnection(server.localAddress, receiveBuffer: 4096)
            try await raw.handshake()
            let text = String(repeating: "x", count: 16 * 1024)
            var calls: [UInt8] = []
            for i in 0..<4 {
                let id = UInt32(2 * i + 1)
                calls += RawConnection.call(Self.get, stream: id) + RawConnection.message(request(text), stream: id)
            }
            raw.send(calls)  // 64 KiB of answers, which the kernel takes whole; none is read
            // The test client's own connection idles out too (quietly: it read everything).
            #expect(await eventually(.seconds(30)) { server.connectionCount == 0 })
            #expect(!RawConnection.isEstablished(raw.fd), "the client was not told: its socket is still established")
            try await stillServing(client)
        }
    }

    @Test func outputBeyondTheOutboundCapClosesTheConnection() async throws {
        try await withServer({ $0.maxOutboundBuffer = 2 * 1024 * 1024; $0.writeStallTimeout = nil }) { server, client in
            try await stillServing(client)
            let baseline = server.connectionCount
            let raw = try RawConnection(server.localAddress)
            // The client grants all the credit the protocol allows, then never reads: flow
            // control no longer holds the server back, only the cap does.
            var settings = Portal_Rpc_V1_Settings()
            settings.initialWindowSize = UInt32(Int32.max)
            var enc = FrameEncoder()
            enc.appendPreface()
            enc.append(.settings, stream: 0, message: settings)
            enc.appendWindowUpdate(stream: 0, increment: UInt32(Int(Int32.max) - ProtocolConstants.defaultConnectionWindowSize))
            var big = request("big")
            big.count = 400
            big.padding = [UInt8](repeating: 7, count: 64 * 1024)  // 400 x 64 KiB = 25 MiB
            raw.send(enc.take() + RawConnection.call("/rpctest.Echo/Expand", stream: 1) + RawConnection.message(big, stream: 1))
            #expect(await eventually(.seconds(60)) { server.connectionCount == baseline })
            try await stillServing(client)
            withExtendedLifetime(raw) {}
        }
    }

    // MARK: Streams that are opened and never finished

    @Test func unaryRequestsWithoutHalfCloseSpendTheConnectionWindow() async throws {
        try await withServer { server, client in
            // Each unary request is buffered whole; until its call half-closes it keeps its
            // connection credit, so a client cannot park 1024 x 4 MiB on one connection.
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var big = request("parked")
            big.padding = [UInt8](repeating: 1, count: 4 * 1024 * 1024 - 64)
            // Encoded once: a debug build encodes 4 MiB slowly.
            func parked(_ payload: [UInt8], _ id: UInt32) -> [UInt8] {
                var enc = FrameEncoder()
                enc.append(.message, stream: id, payload: payload)
                return RawConnection.call(Self.get, stream: id) + enc.take()
            }
            var payload: [UInt8] = big.serializedBytes()
            for i in 0..<6 { raw.send(parked(payload, UInt32(2 * i + 1))) }
            // Four fill the 16 MiB window, the fifth may take it negative, the sixth overruns it.
            let g = try #require(try await raw.goAway())
            #expect(g.code == UInt32(Status.Code.resourceExhausted.rawValue))
            #expect(g.message.contains("connection flow-control window"))
            try await stillServing(client)

            // A client that half-closes gets the credit back and carries on. (The handler fails
            // at once, so the answers are small and need no credit from this raw client.)
            big.failCode = UInt32(Status.Code.aborted.rawValue)
            payload = big.serializedBytes()
            let good = try RawConnection(server.localAddress)
            try await good.handshake()
            for round in 0..<2 {
                var bytes: [UInt8] = []
                for i in 0..<4 {
                    let id = UInt32(2 * (4 * round + i) + 1)
                    bytes += parked(payload, id)
                }
                good.send(bytes)
                var enc = FrameEncoder()
                for i in 0..<4 { enc.append(.message, stream: UInt32(2 * (4 * round + i) + 1), flags: [.endStream, .empty]) }
                good.send(enc.take())
                var codes: [UInt32: UInt32] = [:]  // the handlers finish in any order
                while codes.count < 4, let f = try await good.read(until: { $0.header.type == .status }) {
                    codes[f.header.stream] = try Portal_Rpc_V1_Status(serializedBytes: f.payload).code
                }
                #expect(codes.count == 4 && codes.values.allSatisfy { $0 == UInt32(Status.Code.aborted.rawValue) })
            }
        }
    }

    @Test func openCallsOfOneConnectionHoldBoundedMetadata() async throws {
        try await withServer({ $0.maxConnectionMetadataSize = 4096 }) { server, client in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            func call(_ id: UInt32) -> [UInt8] {
                var c = Portal_Rpc_V1_Call()
                c.method = Self.get
                var m = Portal_Rpc_V1_MetadataEntry()
                m.key = "x-pad"
                m.value = String(repeating: "v", count: 900)
                c.metadata = [m]
                var enc = FrameEncoder()
                enc.append(.call, stream: id, message: c)
                return enc.take()
            }
            // Four calls of ~950 bytes fit in 4 KiB; the fifth does not. None sends its request.
            raw.send((0..<5).flatMap { call(UInt32(2 * $0 + 1)) })
            let s = try #require(try await raw.status(on: 9))
            #expect(s.code == UInt32(Status.Code.resourceExhausted.rawValue))
            #expect(s.message.contains("metadata"))
            // Finishing one frees its share.
            raw.send(RawConnection.message(request("done"), stream: 1))
            #expect(try await raw.status(on: 1)?.code == 0)
            raw.send(call(11) + RawConnection.message(request("fits"), stream: 11))
            #expect(try await raw.status(on: 11)?.code == 0)
            try await stillServing(client)
        }
    }

    // MARK: Out of descriptors

    /// accept4 that fails with `errno` while `failing` is set (as when RLIMIT_NOFILE is
    /// reached and the reserve descriptor cannot help), counting its calls.
    final class FailingAccept: Sendable {
        let failing = Atomic<Bool>(true)
        let calls = Atomic<Int>(0)
        let errno: Int32
        /// Fail only every other call: the listener's reserve-descriptor retry then succeeds.
        let alternate: Bool

        init(errno: Int32, alternate: Bool = false) {
            self.errno = errno
            self.alternate = alternate
        }

        func accept(_ fd: Int32) throws(SystemError) -> Int32? {
            let n = calls.wrappingAdd(1, ordering: .relaxed).newValue
            if failing.load(ordering: .relaxed) && (!alternate || n % 2 == 1) {
                throw SystemError(call: "accept4", errno: errno)
            }
            return try Sys.accept(fd)
        }
    }

    func withFailingAcceptServer(_ fake: FailingAccept, _ body: (RPCServer) async throws -> Void) async throws {
        var config = ServerConfiguration()
        config.port = 0
        config.eventLoops = 1
        var router = RPCRouter()
        EchoService().registerMethods(with: &router)
        let server = try RPCServer(configuration: config, router: router, accept: { fd throws(SystemError) in try fake.accept(fd) })
        try server.start()
        do {
            try await body(server)
        } catch {
            await server.shutdown(grace: .seconds(1))
            throw error
        }
        await server.shutdown(grace: .seconds(1))
    }

    @Test(arguments: [EMFILE, ENOBUFS])
    func acceptFailuresPauseTheListenerInsteadOfSpinning(errno: Int32) async throws {
        let fake = FailingAccept(errno: errno)
        try await withFailingAcceptServer(fake) { server in
            // A pending connection keeps the level-triggered listener readable; every accept fails.
            let raw = try RawConnection(server.localAddress)
            try await Task.sleep(for: .seconds(1))
            let callsWhileFailing = fake.calls.load(ordering: .relaxed)
            // Backoff 10 ms doubling to 1 s: a handful of attempts, not a spinning loop.
            #expect(callsWhileFailing >= 1 && callsWhileFailing < 60, "\(callsWhileFailing) accept calls in 1 s")
            // Descriptors are back: the pending connection is accepted and served.
            fake.failing.store(false, ordering: .relaxed)
            try await raw.handshake()
            raw.send(RawConnection.call(Self.get, stream: 1) + RawConnection.message(request("back"), stream: 1))
            #expect(try await raw.status(on: 1)?.code == 0)
        }
    }

    @Test func outOfDescriptorsPendingConnectionsAreClosedNotLeftHanging() async throws {
        let fake = FailingAccept(errno: EMFILE, alternate: true)
        try await withFailingAcceptServer(fake) { server in
            // EMFILE, then the retry with the reserve descriptor freed succeeds: the listener
            // closes that connection at once, so the client sees the end instead of waiting.
            let raw = try RawConnection(server.localAddress)
            let start = ContinuousClock.now
            #expect(try await raw.readFrame() == nil)
            #expect(ContinuousClock.now - start < .seconds(30))  // "hanging" would be forever; CI machines are slow
            #expect(server.connectionCount == 0)
            fake.failing.store(false, ordering: .relaxed)
            let good = try RawConnection(server.localAddress)
            try await good.handshake()
            good.send(RawConnection.call(Self.get, stream: 1) + RawConnection.message(request("ok"), stream: 1))
            #expect(try await good.status(on: 1)?.code == 0)
        }
    }

    // MARK: Admission control

    @Test func callsBeyondMaxInFlightAreShedAndAdmittedAgainAfterwards() async throws {
        // The two slow calls are held open until the test has seen what it needs: a fixed sleep
        // ran out before the checks on a loaded machine (the calls were no longer in flight).
        let release = Release()
        let echoService = EchoService(hold: { text in if text == "slow" { await release.wait() } })
        try await withServer({ $0.maxInFlightCalls = 2 }, register: { echoService.registerMethods(with: &$0) }) { server, client in
            let echo = Rpctest_Echo_Client(transport: client)
            let slow = (0..<2).map { _ in Task { try await echo.get(request("slow")) } }
            defer { release.open() }  // whatever happens below, the held calls end
            #expect(await eventually(.seconds(60)) { server.inFlightCalls == 2 })
            // A unary call and a streaming call are both refused at once.
            do {
                _ = try await echo.get(request("third"))
                Issue.record("expected RESOURCE_EXHAUSTED")
            } catch let e as RPCError {
                #expect(e.code == .resourceExhausted && e.message == RPCServer.overloadedMessage)
            }
            // Refused, not queued behind the slow calls: they are still running.
            #expect(server.inFlightCalls == 2)
            var stream = request("s")
            stream.count = 2
            await #expect(throws: RPCError.self) {
                for try await _ in try await echo.expand(stream) {}
            }
            #expect(server.shedCalls == 2)
            // Health checks are still answered (a busy server is not a dead one).
            let health = Grpc_Health_V1_Health_Client(transport: client)
            #expect(try await health.check(Grpc_Health_V1_HealthCheckRequest()).status == .serving)
            #expect(server.inFlightCalls == 2)  // still held: everything above happened while they ran
            release.open()
            for t in slow { #expect(try await t.value.text == "slow") }
            #expect(server.inFlightCalls == 0)
            try await stillServing(client)
        }
    }

    @Test func streamingCallsDoNotHoldSlots() async throws {
        let probe = CancellationProbe()
        try await withServer({ $0.maxInFlightCalls = 1 }, register: { probe.registerMethods(with: &$0) }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            // Two long-lived client streams (never half-closed), then a unary call on the slot.
            raw.send(RawConnection.call("/rpctest.Echo/Collect", stream: 1) + RawConnection.call("/rpctest.Echo/Collect", stream: 3))
            #expect(await probe.observed("started:collect"))
            raw.send(RawConnection.call(Self.get, stream: 5) + RawConnection.message(request("unary"), stream: 5))
            #expect(await probe.observed("started:unary"))
            #expect(server.inFlightCalls == 1)
            #expect(server.shedCalls == 0)
        }
    }

    @Test func slotsAreReleasedWhenCallsAreCancelledOrTheConnectionDrops() async throws {
        let probe = CancellationProbe()
        try await withServer({ $0.maxInFlightCalls = 4 }, register: { probe.registerMethods(with: &$0) }) { server, _ in
            var raw: RawConnection? = try RawConnection(server.localAddress)
            try await raw!.handshake()
            var bytes: [UInt8] = []
            for (i, label) in ["a", "b", "c"].enumerated() {
                let id = UInt32(2 * i + 1)
                bytes += RawConnection.call(Self.get, stream: id, timeoutMs: i == 0 ? 100 : 0) + RawConnection.message(request(label), stream: id)
            }
            raw!.send(bytes)
            for label in ["a", "b", "c"] { #expect(await probe.observed("started:" + label)) }
            #expect((2...3).contains(server.inFlightCalls))  // "a" may have met its deadline already
            // "a" hits its deadline, "b" is cancelled, "c" goes with the connection.
            #expect(await probe.observed("a"))
            var enc = FrameEncoder()
            enc.append(.cancel, stream: 3)
            raw!.send(enc.take())
            #expect(await probe.observed("b"))
            raw = nil
            #expect(await probe.observed("c"))
            #expect(await eventually(.seconds(30)) { server.inFlightCalls == 0 })
        }
    }

    // MARK: Buffers

    @Test func encoderDropsWrittenBytesWithoutLosingOrder() {
        var enc = FrameEncoder()
        var expected: [UInt8] = []
        for i in 0..<10_000 {
            let payload = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 8)
            enc.append(.ping, stream: 0, payload: payload)
            var h: [UInt8] = []
            FrameHeader(length: 8, stream: 0, type: .ping).append(to: &h)
            expected += h + payload
        }
        // Consume in odd-sized pieces, as partial socket writes do, appending in between.
        var consumed = 0
        while enc.count > 1000 {
            let n = 997
            #expect(Array(enc.bytes.prefix(n)) == Array(expected[consumed..<consumed + n]))
            enc.removeFirst(n)
            consumed += n
            if consumed % 9970 == 0 {
                enc.append(.ping, stream: 0, payload: [9, 9, 9, 9, 9, 9, 9, 9])
                var h: [UInt8] = []
                FrameHeader(length: 8, stream: 0, type: .ping).append(to: &h)
                expected += h + [9, 9, 9, 9, 9, 9, 9, 9]
            }
        }
        #expect(enc.bytes == Array(expected[consumed...]))
        #expect(enc.take() == Array(expected[consumed...]))
        #expect(enc.isEmpty && enc.count == 0)
    }

    @Test func decoderKnowsWhenItIsBetweenFrames() throws {
        var d = FrameDecoder(expectPreface: false)
        #expect(!d.isMidFrame)
        var enc = FrameEncoder()
        enc.append(.ping, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        let frame = enc.take()
        d.append(Array(frame.prefix(5)))
        #expect(try d.nextFrame() == nil)
        #expect(d.isMidFrame)
        d.append(Array(frame.dropFirst(5)))
        #expect(try d.nextFrame() != nil)
        #expect(!d.isMidFrame)
    }
}

/// Polls `condition` every 10 ms for up to `timeout`.
func eventually(_ timeout: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// Holds tasks until `open()`; later waiters pass at once.
final class Release: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }
}
