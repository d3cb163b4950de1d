import Testing
import PortalRPC

/// Malformed and hostile input over real sockets: each case gets its documented STATUS or
/// GOAWAY, and a well-behaved client on another connection keeps being served.
@Suite struct HostileInputTests {
    static let get = "/rpctest.Echo/Get"

    func request(_ text: String) -> Rpctest_EchoRequest {
        var r = Rpctest_EchoRequest()
        r.text = text
        return r
    }

    /// After each hostile case, a normal client still gets answers.
    func stillServing(_ client: RPCClient) async throws {
        let r = try await Rpctest_Echo_Client(transport: client).get(request("alive"))
        #expect(r.text == "alive")
    }

    @Test(arguments: [
        Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
        [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03],
        [UInt8](repeating: 0, count: 32),
    ])
    func garbageInsteadOfThePrefaceIsRefused(bytes: [UInt8]) async throws {
        try await withServer { server, client in
            let raw = try RawConnection(server.localAddress)
            raw.send(bytes)
            let g = try #require(try await raw.goAway())
            #expect(g.code == UInt32(Status.Code.invalidArgument.rawValue))
            #expect(try await raw.readFrame() == nil)  // and closed
            try await stillServing(client)
        }
    }

    @Test func framesDripFedOneByteAtATime() async throws {
        try await withServer { server, client in
            let raw = try RawConnection(server.localAddress)
            var enc = FrameEncoder()
            enc.appendPreface()
            enc.append(.settings, stream: 0, message: Portal_Rpc_V1_Settings())
            let bytes = enc.take() + RawConnection.call(Self.get, stream: 1) + RawConnection.message(request("drip"), stream: 1)
            for b in bytes { raw.send([b]) }
            let m = try #require(try await raw.read { $0.header.type == .message && $0.header.stream == 1 })
            #expect(try Rpctest_EchoResponse(serializedBytes: m.payload).text == "drip")
            #expect(try await raw.status(on: 1)?.code == 0)
            try await stillServing(client)
        }
    }

    @Test func manyCallsInOneWrite() async throws {
        try await withServer { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var bytes: [UInt8] = []
            for i in 0..<50 {
                let id = UInt32(2 * i + 1)
                bytes += RawConnection.call(Self.get, stream: id) + RawConnection.message(request("\(i)"), stream: id)
            }
            raw.send(bytes)
            var ok = 0
            while ok < 50, let f = try await raw.readFrame() {
                if f.header.type == .status, try Portal_Rpc_V1_Status(serializedBytes: f.payload).code == 0 { ok += 1 }
            }
            #expect(ok == 50)
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withServer { server, client in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            raw.send(RawConnection.call("/rpctest.Echo/Nope", stream: 1))
            let s = try #require(try await raw.status(on: 1))
            #expect(s.code == UInt32(Status.Code.unimplemented.rawValue))
            #expect(s.message.contains("/rpctest.Echo/Nope"))
            try await stillServing(client)
        }
    }

    @Test func undecodableRequestIsInvalidArgument() async throws {
        try await withServer { server, client in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var enc = FrameEncoder()
            enc.append(.message, stream: 1, flags: .endStream, payload: [0x0A, 0x05, 0x61])  // truncated string
            raw.send(RawConnection.call(Self.get, stream: 1) + enc.take())
            let s = try #require(try await raw.status(on: 1))
            #expect(s.code == UInt32(Status.Code.invalidArgument.rawValue))
            try await stillServing(client)
        }
    }

    @Test func oversizeMessageIsResourceExhaustedAndTheConnectionLives() async throws {
        try await withServer({ $0.maxFrameSize = 1024 }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var big = request("big")
            big.padding = [UInt8](repeating: 1, count: 4096)
            raw.send(RawConnection.call(Self.get, stream: 1) + RawConnection.message(big, stream: 1))
            let s = try #require(try await raw.status(on: 1))
            #expect(s.code == UInt32(Status.Code.resourceExhausted.rawValue))
            // Same connection, next call works.
            raw.send(RawConnection.call(Self.get, stream: 3) + RawConnection.message(request("small"), stream: 3))
            #expect(try await raw.status(on: 3)?.code == 0)
        }
    }

    @Test func hugeLengthOnAControlFrameIsGoAway() async throws {
        try await withServer { server, client in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var header: [UInt8] = []
            FrameHeader(length: Int(UInt32.max), stream: 1, type: .call).append(to: &header)
            raw.send(header)
            let g = try #require(try await raw.goAway())
            #expect(g.code == UInt32(Status.Code.resourceExhausted.rawValue))
            try await stillServing(client)
        }
    }

    @Test func protocolViolationsAreGoAway() async throws {
        try await withServer { server, client in
            // Unknown frame type.
            var raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var h: [UInt8] = []
            FrameHeader(length: 0, stream: 0, type: .ping).append(to: &h)
            h[8] = 0x7F
            raw.send(h)
            #expect(try await raw.goAway()?.message.contains("unknown frame type") == true)
            // MESSAGE for a stream never opened.
            raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            raw.send(RawConnection.message(request("x"), stream: 9))
            #expect(try await raw.goAway()?.message.contains("never opened") == true)
            // CALL for a stream that is open.
            raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            raw.send(RawConnection.call(Self.get, stream: 1) + RawConnection.call(Self.get, stream: 1))
            #expect(try await raw.goAway()?.message.contains("already open") == true)
            // A frame before SETTINGS.
            raw = try RawConnection(server.localAddress)
            raw.send(ProtocolConstants.preface + RawConnection.call(Self.get, stream: 1))
            #expect(try await raw.goAway()?.message.contains("SETTINGS") == true)
            try await stillServing(client)
        }
    }

    @Test func oversizedMetadataIsResourceExhausted() async throws {
        try await withServer({ $0.maxMetadataSize = 256 }) { server, client in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var c = Portal_Rpc_V1_Call()
            c.method = Self.get
            for i in 0..<20 {
                var m = Portal_Rpc_V1_MetadataEntry()
                m.key = "x-flood-\(i)"
                m.value = String(repeating: "v", count: 64)
                c.metadata.append(m)
            }
            var enc = FrameEncoder()
            enc.append(.call, stream: 1, message: c)
            raw.send(enc.take())
            #expect(try await raw.status(on: 1)?.code == UInt32(Status.Code.resourceExhausted.rawValue))
            try await stillServing(client)
        }
    }

    @Test func tooManyStreamsIsResourceExhausted() async throws {
        try await withServer({ $0.maxConcurrentStreams = 4 }) { server, client in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var bytes: [UInt8] = []
            for i in 0..<5 { bytes += RawConnection.call(Self.get, stream: UInt32(2 * i + 1)) }  // opened, never finished
            raw.send(bytes)
            #expect(try await raw.status(on: 9)?.code == UInt32(Status.Code.resourceExhausted.rawValue))
            try await stillServing(client)
        }
    }

    @Test func pingIsEchoedWithAck() async throws {
        try await withServer { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var enc = FrameEncoder()
            enc.append(.ping, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])
            raw.send(enc.take())
            let f = try #require(try await raw.read { $0.header.type == .ping })
            #expect(f.header.flags.contains(.ack) && f.payload == [1, 2, 3, 4, 5, 6, 7, 8])
        }
    }
}

/// Flow control and framing edge cases from docs/PROTOCOL.md §2 and §4.
@Suite struct FlowControlRuleTests {
    @Test func aMessageMayTakeTheWindowNegativeOnce() async throws {
        try await withServer({ $0.initialWindowSize = 64 * 1024 }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            // 100 KiB request into a 64 KiB window: allowed, the window had credit left.
            var big = Rpctest_EchoRequest()
            big.padding = [UInt8](repeating: 1, count: 100 * 1024)
            raw.send(RawConnection.call("/rpctest.Echo/Get", stream: 1) + RawConnection.message(big, stream: 1))
            #expect(try await raw.status(on: 1)?.code == 0)
        }
        // A handler that never reads grants no credit: a second message while the stream
        // window is negative is refused.
        let probe = CancellationProbe()
        try await withServer({ $0.initialWindowSize = 64 * 1024 }, register: { probe.registerMethods(with: &$0) }) { server, _ in
            let raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var big = Rpctest_EchoRequest()
            big.padding = [UInt8](repeating: 1, count: 100 * 1024)
            var enc = FrameEncoder()
            enc.append(.message, stream: 1, payload: big.serializedBytes())
            enc.append(.message, stream: 1, payload: big.serializedBytes())
            raw.send(RawConnection.call("/rpctest.Echo/Collect", stream: 1) + enc.take())
            #expect(try await raw.status(on: 1)?.code == UInt32(Status.Code.resourceExhausted.rawValue))
        }
    }

    @Test func framingRulesAreEnforced() async throws {
        try await withServer { server, client in
            // Even stream ids are the server's.
            var raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            raw.send(RawConnection.call("/rpctest.Echo/Get", stream: 2))
            #expect(try await raw.goAway()?.message.contains("odd") == true)
            // WINDOW_UPDATE of zero.
            raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            var enc = FrameEncoder()
            enc.appendWindowUpdate(stream: 0, increment: 0)
            raw.send(enc.take())
            #expect(try await raw.goAway()?.message.contains("positive") == true)
            // EMPTY with a payload.
            raw = try RawConnection(server.localAddress)
            try await raw.handshake()
            enc.append(.message, stream: 1, flags: [.endStream, .empty], payload: [1])
            raw.send(RawConnection.call("/rpctest.Echo/Collect", stream: 1) + enc.take())
            #expect(try await raw.goAway()?.message.contains("EMPTY") == true)
            // A tiny max_frame_size.
            raw = try RawConnection(server.localAddress)
            var settings = Portal_Rpc_V1_Settings()
            settings.maxFrameSize = 100
            enc.appendPreface()
            enc.append(.settings, stream: 0, message: settings)
            raw.send(enc.take())
            #expect(try await raw.goAway()?.message.contains("max_frame_size") == true)
            let r = try await Rpctest_Echo_Client(transport: client).get(Rpctest_EchoRequest())
            #expect(r.text == "")
        }
    }

    @Test func longStatusMessagesAreTruncated() async throws {
        try await withServer { _, client in
            var req = Rpctest_EchoRequest()
            req.text = String(repeating: "x", count: 100_000)
            req.failCode = UInt32(Status.Code.aborted.rawValue)
            do {
                _ = try await Rpctest_Echo_Client(transport: client).get(req)
                Issue.record("expected failure")
            } catch let e as RPCError {
                #expect(e.code == .aborted)
                #expect(e.message.utf8.count <= 1024 && e.message.hasSuffix("..."))
            }
        }
    }
}
