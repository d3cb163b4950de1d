@testable import PortalRPC
import Testing

/// `RPCClient.executor`: a task that prefers it makes its calls on the client's event loop,
/// with no thread hop, and every call shape still works from there.
@Suite struct ClientExecutorTests {
    @Test func callsFromATaskOnTheClientsExecutorStayOnItsLoop() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            let loop = client.loopForCalls
            let outcome = try await Task(executorPreference: client.executor) { () async throws -> (Int, Bool) in
                var matched = 0
                var alwaysOnLoop = loop.inLoop
                for i in 0..<200 {
                    var req = Rpctest_EchoRequest()
                    req.text = "call \(i)"
                    if try await echo.get(req).text == "call \(i)" { matched += 1 }
                    alwaysOnLoop = alwaysOnLoop && loop.inLoop
                }
                return (matched, alwaysOnLoop)
            }.value
            #expect(outcome.0 == 200)
            #expect(outcome.1, "a call resumed its caller off the client's loop")
        }
    }

    @Test func streamsWorkFromTheClientsExecutor() async throws {
        try await withServer { _, client in
            let echo = Rpctest_Echo_Client(transport: client)
            let texts = try await Task(executorPreference: client.executor) { () async throws -> [String] in
                var req = Rpctest_EchoRequest()
                req.text = "x"
                req.count = 50
                var texts: [String] = []
                for try await m in try await echo.expand(req) { texts.append(m.text) }
                return texts
            }.value
            #expect(texts.count == 50)
        }
    }
}
