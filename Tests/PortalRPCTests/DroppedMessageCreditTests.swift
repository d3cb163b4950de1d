import Testing
@testable import PortalRPC

/// A MESSAGE that no handler reads still returns its connection credit (docs/PROTOCOL.md §4):
/// the sender counted it against its connection window, and credit that never comes back
/// stalls the whole connection once the dropped bytes reach the 16 MiB window. Each case
/// drops more than a quarter of the connection window (the size of the server's credit
/// batches) on one connection, one call at a time, then checks that the server granted the
/// bytes back (WINDOW_UPDATE on stream 0) and that an ordinary call on the same connection is
/// still answered. (Kept small: debug builds copy large payloads slowly, and the suite runs
/// in parallel on two cores.)
@Suite struct DroppedMessageCreditTests {
    static let mebibyte = 1 << 20
    static let window = ProtocolConstants.defaultConnectionWindowSize

    enum Case: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case unknownMethod, secondUnaryRequest, afterHalfClose, oversizeMessage, streamWindowOverrun, handlerEndsUnread
        var testDescription: String { rawValue }
        /// The probe's handlers never read their requests; the echo service's do.
        var usesProbe: Bool { self == .streamWindowOverrun || self == .handlerEndsUnread }
    }

    static func padded(_ bytes: Int, _ text: String = "x") -> Rpctest_EchoRequest {
        var r = Rpctest_EchoRequest()
        r.text = text
        r.padding = [UInt8](repeating: 0x5A, count: bytes)
        return r
    }

    /// One call whose request bytes the server drops; returns (bytes, MESSAGE payload bytes the
    /// client counted against its connection window).
    static func frames(_ c: Case, stream id: UInt32) -> (bytes: [UInt8], counted: Int) {
        let get = "/rpctest.Echo/Get", collect = "/rpctest.Echo/Collect"
        let big = padded(mebibyte)
        let size = big.encodedSize
        switch c {
        case .unknownMethod:
            return (RawConnection.call("/rpctest.Echo/Nope", stream: id) + RawConnection.message(big, stream: id), size)
        case .secondUnaryRequest:
            return (RawConnection.call(get, stream: id) + RawConnection.message(big, stream: id, end: false)
                        + RawConnection.message(big, stream: id), 2 * size)
        case .afterHalfClose:
            let small = padded(0)
            return (RawConnection.call(get, stream: id) + RawConnection.message(small, stream: id)
                        + RawConnection.message(big, stream: id), small.encodedSize + size)
        case .oversizeMessage:
            let huge = padded(5 * mebibyte)  // over the 4 MiB max_frame_size
            return (RawConnection.call(get, stream: id) + RawConnection.message(huge, stream: id), huge.encodedSize)
        case .streamWindowOverrun:
            // 1 MiB fits the 1 MiB stream window that has credit left; the second overruns it.
            return (RawConnection.call(collect, stream: id) + RawConnection.message(big, stream: id, end: false)
                        + RawConnection.message(big, stream: id, end: false), 2 * size)
        case .handlerEndsUnread:
            // The handler never reads; the deadline ends the call with the request still queued.
            return (RawConnection.call(collect, stream: id, timeoutMs: 50) + RawConnection.message(big, stream: id, end: false), size)
        }
    }

    @Test(arguments: Case.allCases)
    func droppedRequestsReturnTheirConnectionCredit(_ c: Case) async throws {
        let probe = CancellationProbe()
        let register: (inout RPCRouter) -> Void = c.usesProbe
            ? { probe.registerMethods(with: &$0) } : { EchoService().registerMethods(with: &$0) }
        try await withServer(register: register) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var counted = 0
            var granted = 0
            var id: UInt32 = 1
            while counted <= Self.window / 4 + 2 * Self.mebibyte {
                let (bytes, n) = Self.frames(c, stream: id)
                raw.send(bytes)
                counted += n
                // Read up to this call's STATUS, adding up connection credit on the way.
                let status = try await raw.read { f in
                    if f.header.type == .windowUpdate && f.header.stream == 0 { granted += Self.increment(f) }
                    return f.header.type == .status && f.header.stream == id
                }
                #expect(status != nil, "\(c): no STATUS for stream \(id) after \(counted) bytes")
                guard status != nil else { return }
                id += 2
            }
            // Another call on the same connection is served, and everything (but a batch
            // smaller than a quarter of the window) came back.
            let probeStream = id
            if c.usesProbe {
                raw.send(RawConnection.call("/grpc.health.v1.Health/Check", stream: probeStream)
                         + RawConnection.message(Grpc_Health_V1_HealthCheckRequest(), stream: probeStream))
            } else {
                raw.send(RawConnection.call("/rpctest.Echo/Get", stream: probeStream) + RawConnection.message(Self.padded(0, "alive"), stream: probeStream))
            }
            let last = try await raw.read { f in
                if f.header.type == .windowUpdate && f.header.stream == 0 { granted += Self.increment(f) }
                return (f.header.type == .status && f.header.stream == probeStream) || f.header.type == .goAway
            }
            #expect(last?.header.type == .status, "\(c): the connection ended instead")
            if let last, last.header.type == .status {
                #expect(try Portal_Rpc_V1_Status(serializedBytes: last.payload).code == 0)
            }
            #expect(granted > counted - Self.window / 4, "\(c): \(counted) bytes dropped, \(granted) granted back")
        }
    }

    static func increment(_ f: Frame) -> Int {
        let p = f.payload
        guard p.count == 4 else { return 0 }
        return Int(UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3]))
    }

    // MARK: The client's side

    @Test func responsesAClientStopsReadingReturnTheirCredit() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            // Each call would stream 8 MiB; the caller reads one message, dawdles while the
            // server fills the stream window (1 MiB more), and walks away. 20 calls leave more
            // than the 16 MiB connection window unread, so without that credit coming back the
            // later calls would never get a message.
            for round in 0..<20 {
                var r = Self.padded(Self.mebibyte / 4, "r\(round)")
                r.count = 32
                for try await _ in try await echo.expand(r, options: RPCCallOptions(timeout: .seconds(30))) {
                    try await Task.sleep(for: .milliseconds(100))
                    break
                }
            }
            var last = Self.padded(0, "last")
            last.count = 3
            var received = 0
            for try await _ in try await echo.expand(last, options: RPCCallOptions(timeout: .seconds(30))) { received += 1 }
            #expect(received == 3)
        }
    }

    @Test func leavingTheLoopCancelsTheCall() async throws {
        try await withServer { server, client in
            let echo = Rpctest_Echo_Client(transport: client)
            var r = Self.padded(0, "many")
            r.count = 1_000_000  // would run for minutes, and the call has no deadline
            var seen = 0
            for try await _ in try await echo.expand(r) {
                seen += 1
                if seen == 3 { break }
            }
            #expect(seen == 3)
            // The response stream is gone, so the call is cancelled on both ends.
            #expect(await eventually(.seconds(30)) { server.openStreams == 0 }, "the abandoned call is still open on the server")
        }
    }
}
