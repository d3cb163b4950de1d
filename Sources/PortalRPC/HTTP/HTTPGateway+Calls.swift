import PortalModel
import Synchronization

/// From a complete request to a response: static files for GET and HEAD, Connect unary calls
/// for POST. Checks happen here, in order, before a handler runs; the handler itself runs in
/// `run(_:)`, on the gateway's loop as its preferred executor.
extension HTTPGateway {
    /// What to do with a request.
    enum Dispatch {
        case respond(HTTPResponse)
        case call(UnaryCall)
    }

    /// A unary call that passed every check and holds its admission slot (if it needs one).
    struct UnaryCall: Sendable {
        var route: RPCRouter.Route
        var handler: @Sendable ([UInt8], RPCServerContext) async throws -> [UInt8]
        var codec: ConnectProtocol.Codec
        var request: [UInt8]
        var context: RPCServerContext
        var requestID: RequestID
        var holdsSlot: Bool
        var timeoutMillis: Int64?
        var started: ContinuousClock.Instant
        /// Set by whichever ends the call first: the handler returning or the deadline.
        var ended = Once()
    }

    /// A flag set at most once, from any thread.
    final class Once: Sendable {
        private let flag = Atomic<Bool>(false)
        /// True for the first caller only.
        func claim() -> Bool { !flag.exchange(true, ordering: .relaxed) }
    }

    /// Headers that describe the HTTP exchange rather than the call: not passed to handlers.
    static let transportHeaders: Set<String> = [
        "host", "content-type", "content-length", "connection", "keep-alive", "te", "trailer", "upgrade", "expect",
        "accept-encoding", "content-encoding", "connect-protocol-version", "connect-timeout-ms", "proxy-connection",
    ]

    func dispatch(_ head: HTTPRequestHead, body: [UInt8], peer: String) -> Dispatch {
        let path = head.path
        if head.method == "GET" || head.method == "HEAD" {
            if let response = staticFiles.response(path: path, head: head.method == "HEAD", ifNoneMatch: head.header("if-none-match"),
                                                   csp: configuration.contentSecurityPolicy) {
                return .respond(response)
            }
            if server.router.route(path) != nil {
                return .respond(methodNotAllowed("POST", "\(path) is an RPC method: call it with POST"))
            }
            return .respond(.text(404, "no such page: \(path)"))
        }
        guard head.method == "POST" else {
            let allow = server.router.route(path) != nil ? "POST" : "GET, HEAD"
            return .respond(methodNotAllowed(allow, "method \(head.method) is not allowed on \(path)"))
        }
        guard let route = server.router.route(path) else {
            if staticFiles.file(at: path) != nil { return .respond(methodNotAllowed("GET, HEAD", "\(path) is a page: use GET")) }
            return .respond(ConnectProtocol.errorResponse(Status(code: .unimplemented, message: "unknown method \(path)")))
        }
        guard let contentType = head.header("content-type"), let codec = ConnectProtocol.Codec(contentType: contentType) else {
            return .respond(unsupportedMediaType("send Content-Type application/proto or application/json"))
        }
        guard case .unary(let binary) = route.handler else {
            return .respond(unsupportedMediaType("\(path) is a streaming method; the HTTP gateway serves unary methods only "
                + "(use the binary protocol, or poll the unary calls)"))
        }
        let handler: @Sendable ([UInt8], RPCServerContext) async throws -> [UInt8]
        switch codec {
        case .proto: handler = binary
        case .json:
            guard let json = route.json else { return .respond(unsupportedMediaType("\(path) takes application/proto only")) }
            handler = json
        }
        if let version = head.header("connect-protocol-version"), version != "1" {
            return .respond(ConnectProtocol.errorResponse(Status(code: .invalidArgument,
                                                                 message: "connect-protocol-version must be 1, got \(version)")))
        }
        if let encoding = head.header("content-encoding"), encoding.lowercased() != "identity" {
            return .respond(ConnectProtocol.errorResponse(Status(code: .unimplemented,
                                                                 message: "content-encoding \(encoding) is not supported; send identity")))
        }
        var timeoutMillis: Int64?
        if let timeout = head.header("connect-timeout-ms") {
            guard !timeout.isEmpty, timeout.utf8.count <= 10, timeout.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let ms = Int64(timeout) else {
                return .respond(ConnectProtocol.errorResponse(Status(code: .invalidArgument,
                                                                     message: "connect-timeout-ms must be 1 to 10 digits")))
            }
            timeoutMillis = ms
        }
        let holdsSlot = !route.bypassesAdmission
        guard !holdsSlot || server.admitCall() else {
            server.recordShedCall()
            server.metrics.recordRefused(method: route.path, code: .resourceExhausted)
            return .respond(ConnectProtocol.errorResponse(Status(code: .resourceExhausted, message: RPCServer.overloadedMessage)))
        }
        var metadata = RPCMetadata()
        for header in head.headers where !Self.transportHeaders.contains(header.name) { metadata.add(header.name, header.value) }
        let started = ContinuousClock.now
        let deadline = timeoutMillis.map { started + .milliseconds($0) }
        let context = RPCServerContext(method: route.method, metadata: metadata, deadline: deadline, peer: peer)
        return .call(UnaryCall(route: route, handler: handler, codec: codec, request: body, context: context,
                               requestID: server.requestIDs.next(), holdsSlot: holdsSlot, timeoutMillis: timeoutMillis, started: started))
    }

    /// Runs the handler; the admission slot is released when it returns.
    func run(_ call: UnaryCall) async -> HTTPResponse {
        let status: Status
        var response: HTTPResponse
        do {
            let bytes = try await RequestID.$current.withValue(call.requestID) { try await call.handler(call.request, call.context) }
            status = .ok
            response = HTTPResponse(status: 200, headers: [("Content-Type", call.codec.rawValue), ("Cache-Control", "no-store")], body: bytes)
        } catch {
            status = server.mapHandlerError(error, requestID: call.requestID, method: call.route.path).status
            response = ConnectProtocol.errorResponse(status)
        }
        if call.holdsSlot { server.releaseCall() }
        finished(call, status.code)
        return response
    }

    /// The answer to a call whose Connect-Timeout-Ms passed (its handler is cancelled).
    func timedOut(_ call: UnaryCall) -> HTTPResponse {
        finished(call, .deadlineExceeded)
        return ConnectProtocol.errorResponse(Status(code: .deadlineExceeded, message: "deadline of \(call.timeoutMillis ?? 0) ms exceeded"))
    }

    private func finished(_ call: UnaryCall, _ code: Status.Code) {
        guard call.ended.claim() else { return }
        let duration = ContinuousClock.now - call.started
        server.metrics.record(method: call.route.path, code: code, duration: duration)
        server.logCall(requestID: call.requestID, method: call.route.path, code: code, duration: duration, peer: call.context.peer)
    }

    private func methodNotAllowed(_ allow: String, _ message: String) -> HTTPResponse {
        var r = HTTPResponse.text(405, message)
        r.headers.append(("Allow", allow))
        return r
    }

    private func unsupportedMediaType(_ message: String) -> HTTPResponse {
        var r = ConnectProtocol.errorResponse(Status(code: .unimplemented, message: message))
        r.status = 415
        r.headers.append(("Accept-Post", "application/proto, application/json"))
        return r
    }
}
