import PortalModel
import PortalRPC

/// `portal.v1.OfficerService`: staff sign-in, the complaint queue and its actions, officers,
/// live queue and dashboards, all limited to the caller's jurisdiction.
public struct OfficerServiceHandler: Portal_V1_OfficerService_Handler {
    let core: PortalCore
    var auth: Authenticator { Authenticator(core: core) }
    var workflow: ComplaintWorkflow { ComplaintWorkflow(core: core) }
    var access: ComplaintAccess { ComplaintAccess(directory: core.directory) }
    /// Roles that handle complaints (admins configure the system instead).
    static let handlers: Set<Portal_V1_Role> = [.departmentOfficer, .deputyCommissioner, .commissioner, .chiefSecretary]
    /// Roles that see dashboards.
    static let overseers: Set<Portal_V1_Role> = [.deputyCommissioner, .commissioner, .chiefSecretary, .admin]

    public init(core: PortalCore) { self.core = core }

    public func login(request: Portal_V1_StaffLoginRequest, context: RPCServerContext) async throws -> Portal_V1_Session {
        try await StaffAccounts(core: core).login(request, peer: context.peer)
    }

    public func logout(request: Portal_V1_LogoutRequest, context: RPCServerContext) async throws -> Portal_V1_LogoutResponse {
        _ = try await auth.staff(context, roles: .allStaff)
        try await auth.revoke(context)
        return Portal_V1_LogoutResponse()
    }

    public func getMe(request: Portal_V1_GetMeRequest, context: RPCServerContext) async throws -> Portal_V1_StaffMember {
        try await StaffAccounts(core: core).me(try await auth.staff(context, roles: .allStaff))
    }

    public func changePassword(request: Portal_V1_ChangePasswordRequest, context: RPCServerContext) async throws
        -> Portal_V1_ChangePasswordResponse {
        let staff = try await auth.staff(context, roles: .allStaff)
        return try await PasswordChange(core: core).change(request, for: .staff(staff), tokenHash: Authenticator.tokenHash(context))
    }

    public func listComplaints(request: Portal_V1_ListComplaintsRequest, context: RPCServerContext) async throws -> Portal_V1_ListComplaintsResponse {
        try await ComplaintQueries(core: core).officer(request, staff: try await auth.staff(context, roles: Self.handlers))
    }

    public func getComplaint(request: Portal_V1_OfficerGetComplaintRequest, context: RPCServerContext) async throws -> Portal_V1_OfficerComplaintView {
        let staff = try await auth.staff(context, roles: Self.handlers)
        let code = try PortalValidation.complaintCode(request.code, field: "code")
        guard let (complaint, citizen) = try await core.read({ db in
            try ComplaintRecords.load(db, code: code, timeline: true).map { c in
                (c, try CitizenAccounts.load(db, id: Int64(c.citizenId) ?? 0))
            }
        }) else { throw PortalError.notFound("complaint \(code) not found") }
        guard access.canSee(staff, complaint) else { throw PortalError.permissionDenied("complaint \(code) is outside your jurisdiction") }
        var v = Portal_V1_OfficerComplaintView()
        v.complaint = complaint
        v.citizenName = citizen?.name ?? ""
        v.citizenMobile = citizen?.mobile ?? ""
        return v
    }

    public func assignComplaint(request: Portal_V1_AssignComplaintRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.assign(request, by: try await auth.staff(context, roles: .supervisors))
    }

    public func addRemark(request: Portal_V1_AddRemarkRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.addRemark(request, by: try await auth.staff(context, roles: Self.handlers))
    }

    public func requestInformation(request: Portal_V1_RequestInformationRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.requestInformation(request, by: try await auth.staff(context, roles: Self.handlers))
    }

    public func resolveComplaint(request: Portal_V1_ResolveComplaintRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.resolve(request, by: try await auth.staff(context, roles: Self.handlers))
    }

    public func transferComplaint(request: Portal_V1_TransferComplaintRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.transfer(request, by: try await auth.staff(context, roles: .supervisors))
    }

    public func markSystemic(request: Portal_V1_MarkSystemicRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.markSystemic(request, by: try await auth.staff(context, roles: .supervisors))
    }

    public func uploadAttachment(requests: RPCStream<Portal_V1_UploadAttachmentRequest>, context: RPCServerContext) async throws -> Portal_V1_Attachment {
        let staff = try await auth.staff(context, roles: Self.handlers)
        return try await AttachmentUploads(core: core).upload(requests, owner: .staff(staff.id))
    }

    public func addOfficer(request: Portal_V1_AddOfficerRequest, context: RPCServerContext) async throws -> Portal_V1_AddOfficerResponse {
        let caller = try await auth.staff(context, roles: [.deputyCommissioner, .admin])
        let district: String
        if caller.role == .admin {
            guard !request.districtCode.isEmpty else { throw PortalError.missing("district_code") }
            district = try core.directory.district(request.districtCode, field: "district_code").code
        } else {
            guard request.districtCode.isEmpty || request.districtCode == caller.jurisdictionCode else {
                throw PortalError.permissionDenied("a Deputy Commissioner adds officers to his own district only")
            }
            district = caller.jurisdictionCode
        }
        let (member, password) = try await StaffAccounts(core: core).create(
            username: request.username, name: request.name, role: .departmentOfficer, jurisdiction: district,
            department: request.departmentCode, designation: request.designation, by: .staff(caller))
        var r = Portal_V1_AddOfficerResponse()
        r.officer = member
        r.oneTimePassword = password
        return r
    }

    public func listOfficers(request: Portal_V1_ListOfficersRequest, context: RPCServerContext) async throws -> Portal_V1_ListOfficersResponse {
        let staff = try await auth.staff(context, roles: .supervisors)
        let scope = request.districtCode.isEmpty ? staff.jurisdictionCode : request.districtCode
        guard core.directory.jurisdiction(scope) != nil else { throw PortalError.invalidArgument(field: "district_code", reason: "is not a known jurisdiction") }
        guard access.scopeAllowed(staff, scope) else { throw PortalError.permissionDenied("district_code is outside your jurisdiction") }
        let districts = core.directory.districts(within: scope)
        var r = Portal_V1_ListOfficersResponse()
        guard !districts.isEmpty else { return r }
        r.officers = try await core.read { db in
            try db.query("SELECT \(StaffAccounts.columns) FROM staff WHERE role = 2 AND jurisdiction_code IN (\(districts.map { _ in "?" }.joined(separator: ", "))) ORDER BY name, id",
                         districts, StaffAccounts.row)
        }
        return r
    }

    /// Queue events in the caller's scope: a DC's district, a Commissioner's division, the
    /// Chief Secretary's province; a department officer hears of assignments to him.
    public func watchQueue(request: Portal_V1_WatchQueueRequest, response: RPCWriter<Portal_V1_QueueEvent>, context: RPCServerContext) async throws {
        let staff = try await auth.staff(context, roles: Self.handlers)
        let (notices, cancel, overflowed) = core.hub.watchQueue()
        defer { cancel() }
        let unguard = try await auth.guardWatch(context, .staff(staff), end: cancel)
        defer { unguard() }
        let access = self.access
        for await notice in notices {
            try Task.checkCancellation()
            guard access.canSee(staff, notice.complaint) else { continue }
            if staff.role == .departmentOfficer && notice.kind != .assigned && notice.kind != .informationProvided { continue }
            var e = Portal_V1_QueueEvent()
            e.kind = notice.kind
            e.complaint = notice.complaint
            e.at = .init(millis: notice.at)
            try await response.write(e)
        }
        if overflowed() {
            throw PortalError.resourceExhausted("this watch fell \(UpdateHub.queueBacklog) events behind and was ended; list the queue again, then watch anew")
        }
        try await auth.watchEnded(context)
    }

    public func getDashboard(request: Portal_V1_GetDashboardRequest, context: RPCServerContext) async throws -> Portal_V1_Dashboard {
        let (scope, from, to) = try await dashboardScope(request, context)
        return try await DashboardQueries(core: core).dashboard(scope, from: from, to: to, includeOfficers: true)
    }

    /// The dashboard now, then again after changes in scope, at most once a second.
    public func watchDashboard(request: Portal_V1_GetDashboardRequest, response: RPCWriter<Portal_V1_Dashboard>, context: RPCServerContext) async throws {
        let (scope, from, to) = try await dashboardScope(request, context)
        let queries = DashboardQueries(core: core)
        let (changes, cancel) = core.hub.watchDashboards()
        defer { cancel() }
        let unguard = try await auth.guardWatch(context, try await auth.principal(context), end: cancel)
        defer { unguard() }
        let districts = Set(scope.districts)
        try await response.write(try await queries.dashboard(scope, from: from, to: to, includeOfficers: true))
        for await district in changes where districts.contains(district) {
            try await Task.sleep(for: .seconds(1))  // coalesce a burst into one update
            try await response.write(try await queries.dashboard(scope, from: from, to: to, includeOfficers: true))
        }
        try await auth.watchEnded(context)
    }

    private func dashboardScope(_ request: Portal_V1_GetDashboardRequest, _ context: RPCServerContext) async throws
        -> (DashboardQueries.Scope, Int64?, Int64?) {
        let staff = try await auth.staff(context, roles: Self.overseers)
        let code = request.scopeCode.isEmpty ? staff.jurisdictionCode : request.scopeCode
        guard core.directory.jurisdiction(code) != nil else { throw PortalError.invalidArgument(field: "scope_code", reason: "is not a known jurisdiction") }
        guard access.scopeAllowed(staff, code) else { throw PortalError.permissionDenied("scope_code is outside your jurisdiction") }
        let from = request.periodStart?.millisIfValid
        let to = request.periodEnd?.millisIfValid
        if request.periodStart != nil && from == nil { throw PortalError.invalidArgument(field: "period_start", reason: "is not a valid time") }
        if request.periodEnd != nil && to == nil { throw PortalError.invalidArgument(field: "period_end", reason: "is not a valid time") }
        if let from, let to, from >= to { throw PortalError.invalidArgument(field: "period_end", reason: "must be after period_start") }
        return (try DashboardQueries(core: core).scope(code), from, to)
    }
}
