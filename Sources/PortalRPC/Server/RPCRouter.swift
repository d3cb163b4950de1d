import PortalModel

/// Method paths to type-erased handlers, filled by generated `registerMethods(with:)`.
/// Requests are decoded and responses encoded here, in the handler's task, never on an
/// event loop.
public struct RPCRouter: RPCHandlerRegistry, Sendable {
    enum Handler: Sendable {
        /// One request in, one response out: the fast path, no streams involved.
        case unary(@Sendable ([UInt8], RPCServerContext) async throws -> [UInt8])
        /// Everything else: requests from an inbound queue, responses through a writer.
        case streaming(@Sendable (InboundQueue, RPCWriter<[UInt8]>, RPCServerContext) async throws -> Void)
    }

    struct Route: Sendable {
        var method: MethodDescriptor
        /// `method.path`, built once (the metrics record it for every call).
        var path: String
        var handler: Handler
        /// A unary method's handler taking and giving proto3 JSON (the HTTP gateway's
        /// `application/json`).
        var json: (@Sendable ([UInt8], RPCServerContext) async throws -> [UInt8])?
        /// Health checks are answered even while the server sheds load: they are cheap, and
        /// they are how operators and load balancers tell a busy server from a dead one.
        var bypassesAdmission: Bool

        init(method: MethodDescriptor, handler: Handler) {
            self.method = method
            self.path = method.path
            self.handler = handler
            self.bypassesAdmission = path.hasPrefix("/grpc.health.v1.Health/")
        }
    }

    private(set) var routes: [String: Route] = [:]

    public init() {}

    public var methods: [MethodDescriptor] { routes.values.map(\.method).sorted { $0.path < $1.path } }

    func route(_ path: String) -> Route? { routes[path] }

    public mutating func registerUnary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, RPCServerContext) async throws -> Response
    ) {
        var route = Route(method: method, handler: .unary { bytes, context in
            try await handler(try Request(serializedBytes: bytes), context).serializedBytes()
        })
        route.json = { bytes, context in
            try await handler(try Request(jsonUTF8Bytes: bytes), context).jsonUTF8Bytes()
        }
        routes[method.path] = route
    }

    public mutating func registerServerStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, RPCWriter<Response>, RPCServerContext) async throws -> Void
    ) {
        routes[method.path] = Route(method: method, handler: .streaming { inbound, out, context in
            let request = try await RPCRouter.single(inbound, Request.self)
            try await handler(request, RPCWriter { try await out.write($0.serializedBytes()) }, context)
        })
    }

    public mutating func registerClientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (RPCStream<Request>, RPCServerContext) async throws -> Response
    ) {
        routes[method.path] = Route(method: method, handler: .streaming { inbound, out, context in
            let response = try await handler(inbound.typed(Request.self), context)
            try await out.write(response.serializedBytes())
        })
    }

    public mutating func registerBidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (RPCStream<Request>, RPCWriter<Response>, RPCServerContext) async throws -> Void
    ) {
        routes[method.path] = Route(method: method, handler: .streaming { inbound, out, context in
            try await handler(inbound.typed(Request.self), RPCWriter { try await out.write($0.serializedBytes()) }, context)
        })
    }

    /// Exactly one request message, as unary and server-streaming calls require.
    static func single<Request: ProtoMessage>(_ inbound: InboundQueue, _ type: Request.Type) async throws -> Request {
        guard let first = try await inbound.next() else {
            throw RPCError(code: .invalidArgument, message: "the call carried no request message")
        }
        guard try await inbound.next() == nil else {
            throw RPCError(code: .invalidArgument, message: "the call carried more than one request message")
        }
        return try Request(serializedBytes: first)
    }
}
