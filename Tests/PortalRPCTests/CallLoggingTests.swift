import LogCapture
import Foundation
import Testing
@testable import PortalRPC

/// What the server logs per call: a completion line with request id, method, status code,
/// duration and peer (debug, or error for a server fault), the same request id on lines the
/// handler logs, the type of an unmapped error, and never request content or metadata.
@Suite struct CallLoggingTests {
    struct Boom: Error {}

    static let secretText = "17301-1234567-1 03001234567"
    static let token = "Bearer tok-SECRET-123"

    /// An echo server whose Get logs from the handler and throws `Boom` for "boom".
    static func withLoggingServer(_ logger: Logger, _ body: (Rpctest_Echo_Client<RPCClient>) async throws -> Void) async throws {
        var router = RPCRouter()
        EchoService().registerMethods(with: &router)
        router.registerUnary(Rpctest_Echo.Method.get) { (request: Rpctest_EchoRequest, _: RPCServerContext) -> Rpctest_EchoResponse in
            logger.info("inside the handler")
            if request.text == "boom" { throw Boom() }
            if request.failCode != 0 { throw RPCError(code: Status.Code(rawValue: Int(request.failCode)), message: "failed: \(request.text)") }
            var r = Rpctest_EchoResponse()
            r.text = request.text
            return r
        }
        var config = ServerConfiguration()
        config.port = 0
        config.eventLoops = 1
        let server = try RPCServer(configuration: config, router: router, logger: logger)
        try server.start()
        let client = try RPCClient(target: server.localAddress)
        do {
            try await body(Rpctest_Echo_Client(transport: client))
        } catch {
            client.close()
            await server.shutdown(grace: .seconds(2))
            throw error
        }
        client.close()
        await server.shutdown(grace: .seconds(2))
    }

    static func objects(_ capture: LogCapture) throws -> [[String: Any]] {
        try capture.lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }

    @Test(.timeLimit(.minutes(2))) func callsAreLoggedWithRequestIDs() async throws {
        let capture = LogCapture()
        let logger = capture.logger(level: .debug, format: .json)
        defer { logger.close() }
        try await Self.withLoggingServer(logger) { echo in
            var request = Rpctest_EchoRequest()
            request.text = Self.secretText
            _ = try await echo.get(request, options: RPCCallOptions(metadata: ["authorization": Self.token]))
            request.text = "boom"
            await #expect(throws: RPCError.self) { _ = try await echo.get(request) }
            request.text = "x"
            request.failCode = UInt32(Status.Code.notFound.rawValue)
            await #expect(throws: RPCError.self) { _ = try await echo.get(request) }
            var stream = Rpctest_EchoRequest()
            stream.count = 2
            for try await _ in try await echo.expand(stream) {}
        }
        await logger.flush()
        let text = capture.text
        #expect(!text.contains("17301"), "request content reached the log")
        #expect(!text.contains("03001234567"))
        #expect(!text.contains("tok-SECRET"), "metadata reached the log")
        #expect(!text.contains("failed: x"), "a status message reached the log")

        let lines = try Self.objects(capture)
        let calls = lines.filter { $0["msg"] as? String == "call" }
        #expect(calls.count == 4)
        for call in calls {
            let id = try #require(call["request_id"] as? String)
            #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
            #expect((call["duration_ms"] as? Double).map { $0 >= 0 } == true)
            #expect((call["peer"] as? String)?.hasPrefix("127.0.0.1:") == true)
            #expect(call["ts"] is String)
        }
        #expect(Set(calls.compactMap { $0["request_id"] as? String }).count == 4)
        #expect(calls.map { $0["method"] as? String } == ["/rpctest.Echo/Get", "/rpctest.Echo/Get", "/rpctest.Echo/Get", "/rpctest.Echo/Expand"])
        #expect(calls.map { $0["code"] as? String } == ["OK", "INTERNAL", "NOT_FOUND", "OK"])
        #expect(calls.map { $0["level"] as? String } == ["debug", "error", "debug", "debug"])

        // The handler's own lines carry its call's request id.
        let inside = lines.filter { $0["msg"] as? String == "inside the handler" }
        #expect(inside.count == 3)
        #expect(inside.map { $0["request_id"] as? String } == calls.prefix(3).map { $0["request_id"] as? String })

        // The unmapped error: its type, with the request id of the INTERNAL call.
        let unmapped = try #require(lines.first { $0["msg"] as? String == "handler failed with an unmapped error" })
        #expect(unmapped["level"] as? String == "error")
        #expect((unmapped["error_type"] as? String)?.hasSuffix("Boom") == true)
        #expect(unmapped["request_id"] as? String == calls[1]["request_id"] as? String)
    }

    @Test(.timeLimit(.minutes(2))) func atInfoOnlyFaultsAreLogged() async throws {
        let capture = LogCapture()
        let logger = capture.logger(level: .info, format: .text)
        defer { logger.close() }
        try await Self.withLoggingServer(logger) { echo in
            var request = Rpctest_EchoRequest()
            request.text = "fine"
            _ = try await echo.get(request)
            request.failCode = UInt32(Status.Code.internalError.rawValue)
            await #expect(throws: RPCError.self) { _ = try await echo.get(request) }
        }
        await logger.flush()
        let calls = capture.lines.filter { $0.contains(" call request_id=") }
        #expect(calls.count == 1)
        #expect(calls.first?.contains(" ERROR call request_id=") == true)
        #expect(calls.first?.contains(" code=INTERNAL ") == true)
    }
}
