import PortalModel
import PortalRPC

/// `portal.v1.CitizenService`: thin adapters from RPC calls to the domain. Each checks the
/// session where the call needs one; errors are `PortalError`s, mapped to status codes by
/// `PortalError.rpcError`.
public struct CitizenServiceHandler: Portal_V1_CitizenService_Handler {
    let core: PortalCore
    var auth: Authenticator { Authenticator(core: core) }
    var accounts: CitizenAccounts { CitizenAccounts(core: core) }
    var workflow: ComplaintWorkflow { ComplaintWorkflow(core: core) }

    public init(core: PortalCore) { self.core = core }

    public func register(request: Portal_V1_RegisterRequest, context: RPCServerContext) async throws -> Portal_V1_RegisterResponse {
        try await accounts.register(request)
    }

    public func verifyMobile(request: Portal_V1_VerifyMobileRequest, context: RPCServerContext) async throws -> Portal_V1_VerifyMobileResponse {
        try await accounts.verify(request)
    }

    public func resendVerificationCode(request: Portal_V1_ResendVerificationCodeRequest, context: RPCServerContext) async throws
        -> Portal_V1_ResendVerificationCodeResponse {
        try await accounts.resend(request)
    }

    public func login(request: Portal_V1_CitizenLoginRequest, context: RPCServerContext) async throws -> Portal_V1_Session {
        try await accounts.login(request, peer: context.peer)
    }

    public func logout(request: Portal_V1_LogoutRequest, context: RPCServerContext) async throws -> Portal_V1_LogoutResponse {
        _ = try await auth.citizen(context)
        try await auth.revoke(context)
        return Portal_V1_LogoutResponse()
    }

    public func getProfile(request: Portal_V1_GetProfileRequest, context: RPCServerContext) async throws -> Portal_V1_Citizen {
        try await accounts.profile(try await auth.citizen(context))
    }

    public func changePassword(request: Portal_V1_ChangePasswordRequest, context: RPCServerContext) async throws
        -> Portal_V1_ChangePasswordResponse {
        let citizen = try await auth.citizen(context)
        return try await PasswordChange(core: core).change(request, for: .citizen(citizen), tokenHash: Authenticator.tokenHash(context))
    }

    public func listJurisdictions(request: Portal_V1_ListJurisdictionsRequest, context: RPCServerContext) async throws
        -> Portal_V1_ListJurisdictionsResponse {
        guard (0...3).contains(request.tier.rawValue) else { throw PortalError.invalidArgument(field: "tier", reason: "is not a known tier") }
        var r = Portal_V1_ListJurisdictionsResponse()
        r.jurisdictions = core.directory.snapshot.jurisdictions.values
            .filter { (request.tier == .unspecified || $0.tier == request.tier) && (request.parentCode.isEmpty || $0.parentCode == request.parentCode) }
            .sorted { $0.tier.rawValue != $1.tier.rawValue ? $0.tier.rawValue > $1.tier.rawValue : $0.name < $1.name }
        return r
    }

    public func listCategories(request: Portal_V1_ListCategoriesRequest, context: RPCServerContext) async throws -> Portal_V1_ListCategoriesResponse {
        let s = core.directory.snapshot
        var r = Portal_V1_ListCategoriesResponse()
        r.categories = s.categories.values.filter(\.active).sorted { $0.name < $1.name }
        r.departments = s.departments.values.sorted { $0.name < $1.name }
        return r
    }

    public func uploadAttachment(requests: RPCStream<Portal_V1_UploadAttachmentRequest>, context: RPCServerContext) async throws
        -> Portal_V1_Attachment {
        let citizen = try await auth.citizen(context)
        return try await AttachmentUploads(core: core).upload(requests, owner: .citizen(citizen.id))
    }

    public func fileComplaint(request: Portal_V1_FileComplaintRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await ComplaintFiling(core: core).file(request, by: try await auth.citizen(context))
    }

    public func getComplaint(request: Portal_V1_GetComplaintRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.citizenComplaint(request.code, for: try await auth.citizen(context))
    }

    public func listMyComplaints(request: Portal_V1_ListMyComplaintsRequest, context: RPCServerContext) async throws
        -> Portal_V1_ListComplaintsResponse {
        try await ComplaintQueries(core: core).mine(request, citizen: try await auth.citizen(context))
    }

    public func provideInformation(request: Portal_V1_ProvideInformationRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.provideInformation(request, by: try await auth.citizen(context))
    }

    public func submitFeedback(request: Portal_V1_SubmitFeedbackRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await workflow.submitFeedback(request, by: try await auth.citizen(context))
    }

    public func listMessages(request: Portal_V1_ListMessagesRequest, context: RPCServerContext) async throws -> Portal_V1_ListMessagesResponse {
        let citizen = try await auth.citizen(context)
        guard request.limit <= 500 else { throw PortalError.invalidArgument(field: "limit", reason: "at most 500") }
        let limit = request.limit == 0 ? 100 : Int(request.limit)
        let after = try Self.sequence(request.afterSequence, field: "after_sequence")
        return try await core.read { db in
            var r = Portal_V1_ListMessagesResponse()
            r.messages = try MessageBox.list(db, citizenID: citizen.id, after: after, limit: limit, unreadOnly: request.unreadOnly)
            r.unreadCount = UInt64(try MessageBox.unreadCount(db, citizenID: citizen.id))
            r.lastSequence = UInt64(try MessageBox.lastSequence(db, citizenID: citizen.id))
            return r
        }
    }

    public func markMessagesRead(request: Portal_V1_MarkMessagesReadRequest, context: RPCServerContext) async throws
        -> Portal_V1_MarkMessagesReadResponse {
        let citizen = try await auth.citizen(context)
        let upTo = try Self.sequence(request.upToSequence, field: "up_to_sequence")
        let unread = try await core.write { db in
            try MessageBox.markRead(db, citizenID: citizen.id, upTo: upTo)
            return try MessageBox.unreadCount(db, citizenID: citizen.id)
        }
        var r = Portal_V1_MarkMessagesReadResponse()
        r.unreadCount = UInt64(unread)
        return r
    }

    /// Sends the messages after `after_sequence`, then each new one, until the client cancels.
    /// The hub subscription is taken before the first read, so nothing committed in between is
    /// missed; the store, not the hub, is the source of every message.
    public func watchUpdates(request: Portal_V1_WatchUpdatesRequest, response: RPCWriter<Portal_V1_CitizenMessage>,
                             context: RPCServerContext) async throws {
        let citizen = try await auth.citizen(context)
        var last = try Self.sequence(request.afterSequence, field: "after_sequence")
        let (signals, cancel) = core.hub.watchCitizen(citizen.id)
        defer { cancel() }
        let unguard = try await auth.guardWatch(context, .citizen(citizen), end: cancel)
        defer { unguard() }
        var wakeups = signals.makeAsyncIterator()
        while !Task.isCancelled {
            let after = last
            let batch = try await core.read { db in try MessageBox.list(db, citizenID: citizen.id, after: after, limit: 500, unreadOnly: false) }
            for m in batch {
                try await response.write(m)
                last = Int64(m.sequence)
            }
            if batch.count == 500 { continue }
            guard await wakeups.next() != nil else { try await auth.watchEnded(context) }
        }
        throw CancellationError()
    }

    public func getPublicStatistics(request: Portal_V1_GetPublicStatisticsRequest, context: RPCServerContext) async throws
        -> Portal_V1_PublicStatistics {
        try await DashboardQueries(core: core).publicStatistics()
    }

    static func sequence(_ v: UInt64, field: String) throws(PortalError) -> Int64 {
        guard v <= UInt64(Int64.max) else { throw .invalidArgument(field: field, reason: "is out of range") }
        return Int64(v)
    }
}
