import Testing
import PortalModel

/// The generated service shapes the RPC runtime binds to: descriptors, registration of a
/// handler with a router, and typed client stubs over a transport.
@Suite struct ServiceShapeTests {
    @Test func descriptorsCarryPathsAndKinds() {
        #expect(Grpc_Health_V1_Health.Method.check.path == "/grpc.health.v1.Health/Check")
        #expect(Grpc_Health_V1_Health.Method.check.kind == .unary)
        #expect(Grpc_Health_V1_Health.Method.watch.kind == .serverStreaming)
        #expect(Grpc_Health_V1_Health.Method.watch.responseType == "grpc.health.v1.HealthCheckResponse")
        #expect(Grpc_Health_V1_Health.descriptor.methods.map(\.method) == ["Check", "Watch"])
    }

    @Test func registryFindsEveryGeneratedMessage() {
        #expect(PortalSchema.registry["portal.v1.Complaint"] == Portal_V1_Complaint.self)
        #expect(PortalSchema.registry.type(forTypeURL: "type.googleapis.com/portal.v1.GeoPoint") == Portal_V1_GeoPoint.self)
        #expect(PortalSchema.registry["portal.v1.ComplaintEvent.Assignment"] == Portal_V1_ComplaintEvent.Assignment.self)
        #expect(PortalSchema.services.contains { $0.fullName == "grpc.health.v1.Health" })
    }

    struct Health: Grpc_Health_V1_Health_Handler {
        func check(request: Grpc_Health_V1_HealthCheckRequest, context: RPCServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
            var r = Grpc_Health_V1_HealthCheckResponse()
            r.status = request.service.isEmpty ? .serving : .serviceUnknown
            return r
        }

        func watch(request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
                   context: RPCServerContext) async throws {
            for status in [Grpc_Health_V1_HealthCheckResponse.ServingStatus.serving, .notServing] {
                var r = Grpc_Health_V1_HealthCheckResponse()
                r.status = status
                try await response.write(r)
            }
        }
    }

    /// A router stand-in that records handlers by path, type-erased to bytes like a real one.
    struct RecordingRegistry: RPCHandlerRegistry {
        var unary: [String: @Sendable ([UInt8], RPCServerContext) async throws -> [UInt8]] = [:]
        var kinds: [String: RPCKind] = [:]

        mutating func registerUnary<Req: ProtoMessage, Resp: ProtoMessage>(
            _ method: MethodDescriptor, _ handler: @escaping @Sendable (Req, RPCServerContext) async throws -> Resp) {
            kinds[method.path] = method.kind
            unary[method.path] = { bytes, context in
                try await handler(try Req(serializedBytes: bytes), context).serializedBytes()
            }
        }
        mutating func registerServerStreaming<Req: ProtoMessage, Resp: ProtoMessage>(
            _ method: MethodDescriptor, _ handler: @escaping @Sendable (Req, RPCWriter<Resp>, RPCServerContext) async throws -> Void) {
            kinds[method.path] = method.kind
        }
        mutating func registerClientStreaming<Req: ProtoMessage, Resp: ProtoMessage>(
            _ method: MethodDescriptor, _ handler: @escaping @Sendable (RPCStream<Req>, RPCServerContext) async throws -> Resp) {
            kinds[method.path] = method.kind
        }
        mutating func registerBidirectionalStreaming<Req: ProtoMessage, Resp: ProtoMessage>(
            _ method: MethodDescriptor, _ handler: @escaping @Sendable (RPCStream<Req>, RPCWriter<Resp>, RPCServerContext) async throws -> Void) {
            kinds[method.path] = method.kind
        }
    }

    @Test func handlersRegisterUnderTheirPaths() async throws {
        var registry = RecordingRegistry()
        Health().registerMethods(with: &registry)
        #expect(registry.kinds == ["/grpc.health.v1.Health/Check": .unary, "/grpc.health.v1.Health/Watch": .serverStreaming])
        let context = RPCServerContext(method: Grpc_Health_V1_Health.Method.check, metadata: [:], deadline: nil, peer: "test")
        let handler = try #require(registry.unary["/grpc.health.v1.Health/Check"])
        let answer = try Grpc_Health_V1_HealthCheckResponse(serializedBytes: try await handler([], context))
        #expect(answer.status == .serving)
    }

    /// A transport stand-in that serves calls from a handler in-process.
    struct LoopbackTransport: RPCClientTransport {
        let handler = Health()
        func unary<Req: ProtoMessage, Resp: ProtoMessage>(_ method: MethodDescriptor, request: Req, options: RPCCallOptions) async throws -> Resp {
            let context = RPCServerContext(method: method, metadata: options.metadata, deadline: nil, peer: "loopback")
            let req = try Grpc_Health_V1_HealthCheckRequest(serializedBytes: request.serializedBytes())
            return try Resp(serializedBytes: try await handler.check(request: req, context: context).serializedBytes())
        }
        func serverStreaming<Req: ProtoMessage, Resp: ProtoMessage>(_ method: MethodDescriptor, request: Req, options: RPCCallOptions) async throws -> RPCStream<Resp> {
            let (stream, continuation) = AsyncThrowingStream<Resp, any Error>.makeStream()
            let context = RPCServerContext(method: method, metadata: options.metadata, deadline: nil, peer: "loopback")
            let req = try Grpc_Health_V1_HealthCheckRequest(serializedBytes: request.serializedBytes())
            try await handler.watch(request: req, response: RPCWriter { r in
                continuation.yield(try Resp(serializedBytes: r.serializedBytes()))
            }, context: context)
            continuation.finish()
            return RPCStream(stream)
        }
        func clientStreaming<Req: ProtoMessage, Resp: ProtoMessage>(_ method: MethodDescriptor, options: RPCCallOptions,
            requests: @escaping @Sendable (RPCWriter<Req>) async throws -> Void) async throws -> Resp { Resp() }
        func bidirectionalStreaming<Req: ProtoMessage, Resp: ProtoMessage>(_ method: MethodDescriptor, options: RPCCallOptions,
            requests: @escaping @Sendable (RPCWriter<Req>) async throws -> Void) async throws -> RPCStream<Resp> {
            RPCStream(AsyncThrowingStream { $0.finish() })
        }
    }

    @Test func clientStubsCallThroughTheTransport() async throws {
        let client = Grpc_Health_V1_Health_Client(transport: LoopbackTransport())
        var request = Grpc_Health_V1_HealthCheckRequest()
        request.service = "portal.v1.CitizenService"
        #expect(try await client.check(request).status == .serviceUnknown)
        var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
        for try await r in try await client.watch(Grpc_Health_V1_HealthCheckRequest()) { statuses.append(r.status) }
        #expect(statuses == [.serving, .notServing])
    }
}
