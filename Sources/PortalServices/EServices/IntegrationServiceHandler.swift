import PortalModel
import PortalRPC

/// `portal.v1.IntegrationService`: department back ends, authenticated by their API key,
/// acting for their own department only.
public struct IntegrationServiceHandler: Portal_V1_IntegrationService_Handler {
    let core: PortalCore
    var clients: IntegrationClients { IntegrationClients(core: core) }

    public init(core: PortalCore) { self.core = core }

    public func listDepartmentApplications(request: Portal_V1_ListDepartmentApplicationsRequest, context: RPCServerContext) async throws
        -> Portal_V1_ListApplicationsResponse {
        try await ApplicationQueries(core: core).department(request, client: try await clients.authenticate(context))
    }

    public func pushApplicationStatus(request: Portal_V1_PushApplicationStatusRequest, context: RPCServerContext) async throws -> Portal_V1_Application {
        try await ApplicationWorkflow(core: core).push(request, by: try await clients.authenticate(context))
    }

    public func pushRevenueCase(request: Portal_V1_PushRevenueCaseRequest, context: RPCServerContext) async throws -> Portal_V1_RevenueCase {
        try await RevenueCases(core: core).push(request, by: try await clients.authenticate(context))
    }
}
