import PortalModel
import PortalRPC

/// Who may publish public information and for where, and whom it reaches. The rule is the
/// complaints' scope rule (ComplaintAccess): a Deputy Commissioner publishes for his district,
/// a Commissioner for his division and its districts, the Chief Secretary and admins for the
/// province and everything in it. Publications reach every district inside their scope; a
/// citizen is reached through his district, its division and the province.
struct InfoAccess: Sendable {
    let directory: Directory

    static let publishers: Set<Portal_V1_Role> = [.deputyCommissioner, .commissioner, .chiefSecretary, .admin]

    func canPublish(_ staff: Principal.Staff, for code: String) -> Bool {
        Self.publishers.contains(staff.role) && directory.contains(staff.jurisdictionCode, code)
    }

    /// A known district, division or province, or INVALID_ARGUMENT naming `field`.
    func jurisdiction(_ code: String, field: String) throws(PortalError) -> Portal_V1_Jurisdiction {
        guard !code.isEmpty else { throw .missing(field) }
        guard let j = directory.jurisdiction(code) else {
            throw .invalidArgument(field: field, reason: "is not a known district, division or province")
        }
        return j
    }

    /// The jurisdiction a publisher names: unknown is INVALID_ARGUMENT, outside his own
    /// PERMISSION_DENIED.
    func publishScope(_ staff: Principal.Staff, _ code: String, field: String) throws(PortalError) -> Portal_V1_Jurisdiction {
        let j = try jurisdiction(code, field: field)
        guard canPublish(staff, for: j.code) else { throw .permissionDenied("\(field) is outside your jurisdiction") }
        return j
    }

    /// The scope codes that reach a district: [district, division, province].
    func reach(of district: String) -> [String] { directory.ancestry(of: district) }

    /// Every jurisdiction inside `code`, itself included (a publisher's own publications).
    func codes(within code: String) -> [String] {
        directory.snapshot.jurisdictions.keys.filter { directory.contains(code, $0) }.sorted()
    }

    /// What a staff member reads: publications inside his jurisdiction (`scope`, when given,
    /// narrows it) and those of the jurisdictions above it, which reach it too.
    func readable(by staff: Principal.Staff, scope: String) throws(PortalError) -> [String] {
        guard scope.isEmpty else {
            let j = try jurisdiction(scope, field: "scope_code")
            guard directory.contains(staff.jurisdictionCode, j.code) else { throw .permissionDenied("scope_code is outside your jurisdiction") }
            return codes(within: j.code)
        }
        return Array(Set(codes(within: staff.jurisdictionCode)).union(reach(of: staff.jurisdictionCode))).sorted()
    }

    /// The office a publication is signed with, e.g. "Deputy Commissioner, Peshawar".
    func office(of staff: Principal.Staff) -> String {
        let place = directory.jurisdiction(staff.jurisdictionCode)?.name ?? staff.jurisdictionCode
        return switch staff.role {
        case .deputyCommissioner: "Deputy Commissioner, \(place)"
        case .commissioner: "Commissioner, \(place) Division"
        case .chiefSecretary: "Chief Secretary, \(place)"
        default: "Citizen Portal, \(place)"
        }
    }
}

extension Authenticator {
    /// The caller of a call that also works without sign-in: nil without an `authorization`
    /// header; a header that is not a live session is still UNAUTHENTICATED.
    func optionalPrincipal(_ context: RPCServerContext) async throws(PortalError) -> Principal? {
        guard context.metadata["authorization"] != nil else { return nil }
        return try await principal(context)
    }

    /// A DC, Commissioner, Chief Secretary or admin.
    func publisher(_ context: RPCServerContext) async throws(PortalError) -> Principal.Staff {
        try await staff(context, roles: InfoAccess.publishers)
    }
}
