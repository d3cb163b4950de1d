import PortalRPC

/// The test service: echoes, expands into a stream, collects a stream, and echoes a stream.
struct EchoService: Rpctest_Echo_Handler {
    /// Called with the request text when a unary call starts (lets tests wait for it).
    var onStart: (@Sendable (String) -> Void)? = nil
    /// Awaited with the request text after `onStart`: lets a test hold a unary call open for
    /// exactly as long as it needs, instead of guessing a sleep.
    var hold: (@Sendable (String) async -> Void)? = nil

    func get(request: Rpctest_EchoRequest, context: RPCServerContext) async throws -> Rpctest_EchoResponse {
        onStart?(request.text)
        await hold?(request.text)
        if request.failCode != 0 {
            throw RPCError(code: Status.Code(rawValue: Int(request.failCode)), message: "asked to fail: \(request.text)")
        }
        if request.count > 0 { try await Task.sleep(for: .milliseconds(Int(request.count))) }
        var r = Rpctest_EchoResponse()
        r.text = request.text
        r.padding = request.padding
        if let auth = context.metadata["authorization"] { r.text += " auth=\(auth)" }
        return r
    }

    func expand(request: Rpctest_EchoRequest, response: RPCWriter<Rpctest_EchoResponse>, context: RPCServerContext) async throws {
        for i in 0..<request.count {
            var r = Rpctest_EchoResponse()
            r.text = request.text
            r.index = i
            r.padding = request.padding
            try await response.write(r)
        }
        if request.failCode != 0 {
            throw RPCError(code: Status.Code(rawValue: Int(request.failCode)), message: "failed after \(request.count)")
        }
    }

    func collect(requests: RPCStream<Rpctest_EchoRequest>, context: RPCServerContext) async throws -> Rpctest_EchoResponse {
        var texts: [String] = []
        for try await r in requests { texts.append(r.text) }
        var out = Rpctest_EchoResponse()
        out.text = texts.joined(separator: ",")
        out.index = UInt32(texts.count)
        return out
    }

    func update(requests: RPCStream<Rpctest_EchoRequest>, response: RPCWriter<Rpctest_EchoResponse>, context: RPCServerContext) async throws {
        var i: UInt32 = 0
        for try await r in requests {
            var out = Rpctest_EchoResponse()
            out.text = r.text.uppercased()
            out.index = i
            i += 1
            try await response.write(out)
        }
    }
}
