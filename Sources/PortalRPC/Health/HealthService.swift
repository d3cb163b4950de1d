import PortalModel
import Synchronization

/// The standard `grpc.health.v1.Health` service, so load balancers, probes and generic
/// tooling can ask whether the server (the empty service name) or one service is serving.
public final class HealthService: Grpc_Health_V1_Health_Handler {
    public typealias ServingStatus = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: ServingStatus] = ["": .serving]
        var watchers: [UInt64: (service: String, continuation: AsyncStream<ServingStatus>.Continuation)] = [:]
        var nextWatcher: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets a service's status ("" is the whole server) and tells its watchers.
    public func setStatus(_ status: ServingStatus, for service: String = "") {
        let watchers = state.withLock { s -> [AsyncStream<ServingStatus>.Continuation] in
            s.statuses[service] = status
            return s.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for w in watchers { w.yield(status) }
    }

    /// Marks everything NOT_SERVING (graceful shutdown) and ends the watch streams.
    public func shutDown() {
        let watchers = state.withLock { s -> [AsyncStream<ServingStatus>.Continuation] in
            for key in s.statuses.keys { s.statuses[key] = .notServing }
            defer { s.watchers.removeAll() }
            return s.watchers.values.map(\.continuation)
        }
        for w in watchers {
            w.yield(.notServing)
            w.finish()
        }
    }

    public func check(request: Grpc_Health_V1_HealthCheckRequest, context: RPCServerContext) async throws
        -> Grpc_Health_V1_HealthCheckResponse {
        guard let status = state.withLock({ $0.statuses[request.service] }) else {
            throw RPCError(code: .notFound, message: "unknown service \(request.service)")
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status
        return response
    }

    /// Sends the current status, then every change, until the client cancels.
    public func watch(request: Grpc_Health_V1_HealthCheckRequest,
                      response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
                      context: RPCServerContext) async throws {
        let (updates, continuation) = AsyncStream<ServingStatus>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let id = state.withLock { s -> UInt64 in
            s.nextWatcher += 1
            s.watchers[s.nextWatcher] = (request.service, continuation)
            continuation.yield(s.statuses[request.service] ?? .serviceUnknown)
            return s.nextWatcher
        }
        defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
        var last: ServingStatus?
        for await status in updates {
            try Task.checkCancellation()
            guard status != last else { continue }
            last = status
            var r = Grpc_Health_V1_HealthCheckResponse()
            r.status = status
            try await response.write(r)
        }
    }
}
