import PortalModel
import PortalRPC

/// `portal.v1.EServicesService`: citizens apply for a domicile or an internship and track
/// their applications and revenue cases; officers process applications in their jurisdiction;
/// admins issue department back ends their keys.
public struct EServicesServiceHandler: Portal_V1_EServicesService_Handler {
    let core: PortalCore
    var auth: Authenticator { Authenticator(core: core) }
    var workflow: ApplicationWorkflow { ApplicationWorkflow(core: core) }

    public init(core: PortalCore) { self.core = core }

    // MARK: citizens

    public func applyForDomicile(request: Portal_V1_ApplyForDomicileRequest, context: RPCServerContext) async throws -> Portal_V1_Application {
        try await ApplicationFiling(core: core).domicile(request, by: try await auth.citizen(context))
    }

    public func applyForInternship(request: Portal_V1_ApplyForInternshipRequest, context: RPCServerContext) async throws -> Portal_V1_Application {
        try await ApplicationFiling(core: core).internship(request, by: try await auth.citizen(context))
    }

    public func listMyApplications(request: Portal_V1_ListMyApplicationsRequest, context: RPCServerContext) async throws -> Portal_V1_ListApplicationsResponse {
        try await ApplicationQueries(core: core).mine(request, citizen: try await auth.citizen(context))
    }

    public func getApplication(request: Portal_V1_GetApplicationRequest, context: RPCServerContext) async throws -> Portal_V1_Application {
        let who = try await auth.principal(context)
        if case .staff(let s) = who, !ApplicationAccess.handlers.contains(s.role) {
            throw PortalError.permissionDenied("your role does not process applications")
        }
        return try await ApplicationQueries(core: core).get(request, for: who)
    }

    public func withdrawApplication(request: Portal_V1_WithdrawApplicationRequest, context: RPCServerContext) async throws -> Portal_V1_Application {
        try await workflow.withdraw(request, by: try await auth.citizen(context))
    }

    // MARK: officers

    public func listApplications(request: Portal_V1_ListApplicationsRequest, context: RPCServerContext) async throws -> Portal_V1_ListApplicationsResponse {
        try await ApplicationQueries(core: core).officer(request, staff: try await auth.staff(context, roles: ApplicationAccess.handlers))
    }

    public func updateApplicationStatus(request: Portal_V1_UpdateApplicationStatusRequest, context: RPCServerContext) async throws -> Portal_V1_Application {
        try await workflow.update(request, by: try await auth.staff(context, roles: ApplicationAccess.handlers))
    }

    // MARK: revenue cases

    public func getRevenueCase(request: Portal_V1_GetRevenueCaseRequest, context: RPCServerContext) async throws -> Portal_V1_RevenueCase {
        try await RevenueCases(core: core).get(request, for: try await auth.principal(context))
    }

    public func followRevenueCase(request: Portal_V1_FollowRevenueCaseRequest, context: RPCServerContext) async throws -> Portal_V1_RevenueCase {
        try await RevenueCases(core: core).follow(request, by: try await auth.citizen(context))
    }

    public func listMyRevenueCases(request: Portal_V1_ListMyRevenueCasesRequest, context: RPCServerContext) async throws -> Portal_V1_ListMyRevenueCasesResponse {
        try await RevenueCases(core: core).mine(try await auth.citizen(context))
    }

    // MARK: admins

    public func createIntegrationClient(request: Portal_V1_CreateIntegrationClientRequest, context: RPCServerContext) async throws
        -> Portal_V1_CreateIntegrationClientResponse {
        try await IntegrationClients(core: core).create(request, by: try await auth.staff(context, roles: [.admin]))
    }

    public func listIntegrationClients(request: Portal_V1_ListIntegrationClientsRequest, context: RPCServerContext) async throws
        -> Portal_V1_ListIntegrationClientsResponse {
        _ = try await auth.staff(context, roles: [.admin])
        return try await IntegrationClients(core: core).list()
    }

    public func revokeIntegrationClient(request: Portal_V1_RevokeIntegrationClientRequest, context: RPCServerContext) async throws
        -> Portal_V1_IntegrationClient {
        try await IntegrationClients(core: core).revoke(request, by: try await auth.staff(context, roles: [.admin]))
    }
}
