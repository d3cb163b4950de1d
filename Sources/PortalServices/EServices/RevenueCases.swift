import PortalModel
import PortalStore

/// Revenue court cases as the revenue back end reports them (IntegrationService.PushRevenueCase):
/// case number, court, status, hearings. Citizens look a case up by its number and follow it;
/// a change of status, a new hearing date or a decision then reaches each follower's message
/// box and watch stream, in the transaction of the push.
struct RevenueCases: Sendable {
    let core: PortalCore

    static let columns = "case_number, department_code, district_code, title, case_type, court, status, hearings, next_hearing_at, decision, updated_at"

    static func row(_ r: borrowing Row) -> Portal_V1_RevenueCase {
        var c = (try? Portal_V1_RevenueCase(serializedBytes: r.blob(7))) ?? Portal_V1_RevenueCase()
        c.caseNumber = r.text(0); c.departmentCode = r.text(1); c.districtCode = r.text(2); c.title = r.text(3)
        c.caseType = r.text(4); c.court = r.text(5); c.status = Portal_V1_RevenueCaseStatus(rawValue: Int32(r.int(6)))
        if let next = r.optionalInt(8) { c.nextHearingAt = .init(millis: next) }
        c.decision = r.text(9); c.updatedAt = .init(millis: r.int(10))
        return c
    }

    static func load(_ db: Database, number: String, citizenID: Int64?) throws -> Portal_V1_RevenueCase? {
        guard var c = try db.queryOne("SELECT \(columns) FROM revenue_cases WHERE case_number = ?", [number], row) else { return nil }
        if let citizenID {
            c.following = try db.queryOne("SELECT 1 FROM revenue_case_followers WHERE case_number = ? AND citizen_id = ?", [number, citizenID]) { _ in true } ?? false
        }
        return c
    }

    /// Letters, digits, '-', '/', '.', 3-40 characters, upper-cased.
    static func caseNumber(_ s: String, field: String) throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing(field) }
        let upper = s.uppercased()
        guard (3...40).contains(upper.utf8.count),
              upper.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2D || $0 == 0x2F || $0 == 0x2E })
        else { throw .invalidArgument(field: field, reason: "must be 3-40 letters, digits, '-', '/' or '.'") }
        return upper
    }

    func get(_ r: Portal_V1_GetRevenueCaseRequest, for who: Principal) async throws(PortalError) -> Portal_V1_RevenueCase {
        let number = try Self.caseNumber(r.caseNumber, field: "case_number")
        var citizenID: Int64?
        if case .citizen(let c) = who { citizenID = c.id }
        let me = citizenID
        guard let c = try await core.read({ db in try Self.load(db, number: number, citizenID: me) }) else {
            throw .notFound("revenue case \(number) not found")
        }
        return c
    }

    func follow(_ r: Portal_V1_FollowRevenueCaseRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_RevenueCase {
        let number = try Self.caseNumber(r.caseNumber, field: "case_number")
        let now = core.now(), actor = Principal.citizen(citizen)
        return try await core.write { db in
            guard try db.queryOne("SELECT 1 FROM revenue_cases WHERE case_number = ?", [number], { _ in true }) != nil else {
                throw PortalError.notFound("revenue case \(number) not found")
            }
            if r.follow {
                if try db.run("INSERT OR IGNORE INTO revenue_case_followers (case_number, citizen_id, since) VALUES (?, ?, ?)", number, citizen.id, now) == 1 {
                    try AuditLog.append(db, at: now, actor: actor, action: "revenue_case.follow", target: number)
                }
            } else if try db.run("DELETE FROM revenue_case_followers WHERE case_number = ? AND citizen_id = ?", number, citizen.id) == 1 {
                try AuditLog.append(db, at: now, actor: actor, action: "revenue_case.unfollow", target: number)
            }
            return try Self.load(db, number: number, citizenID: citizen.id)!
        }
    }

    func mine(_ citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_ListMyRevenueCasesResponse {
        var response = Portal_V1_ListMyRevenueCasesResponse()
        response.cases = try await core.read { db in
            let numbers = try db.query("SELECT case_number FROM revenue_case_followers WHERE citizen_id = ? ORDER BY since DESC LIMIT 200", [citizen.id]) { $0.text(0) }
            return try numbers.compactMap { try Self.load(db, number: $0, citizenID: citizen.id) }
        }
        return response
    }

    /// Creates or replaces a case for the back end's department; another department's case is
    /// PERMISSION_DENIED.
    func push(_ r: Portal_V1_PushRevenueCaseRequest, by client: IntegrationClients.Caller) async throws(PortalError) -> Portal_V1_RevenueCase {
        guard let c = r.revenueCase else { throw .missing("revenue_case") }
        let number = try Self.caseNumber(c.caseNumber, field: "revenue_case.case_number")
        let title = try PortalValidation.text(c.title, field: "revenue_case.title", min: 1, max: 300)
        let caseType = try PortalValidation.text(c.caseType, field: "revenue_case.case_type", min: 0, max: 100)
        let court = try PortalValidation.text(c.court, field: "revenue_case.court", min: 1, max: 200)
        let district = try core.directory.district(c.districtCode, field: "revenue_case.district_code")
        guard (1...5).contains(c.status.rawValue) else {
            throw c.status == .unspecified ? .missing("revenue_case.status") : .invalidArgument(field: "revenue_case.status", reason: "is not a known status")
        }
        guard c.hearings.count <= 200 else { throw .invalidArgument(field: "revenue_case.hearings", reason: "at most 200 hearings") }
        var hearings = Portal_V1_RevenueCase()
        for (i, h) in c.hearings.enumerated() {
            var hearing = Portal_V1_RevenueHearing()
            hearing.at = .init(millis: try InfoValidation.time(h.at, field: "revenue_case.hearings[\(i)].at"))
            hearing.court = try PortalValidation.text(h.court, field: "revenue_case.hearings[\(i)].court", min: 0, max: 200)
            hearing.purpose = try PortalValidation.text(h.purpose, field: "revenue_case.hearings[\(i)].purpose", min: 0, max: 300)
            hearing.outcome = try PortalValidation.text(h.outcome, field: "revenue_case.hearings[\(i)].outcome", min: 0, max: 1000)
            hearings.hearings.append(hearing)
        }
        let next = try InfoValidation.optionalTime(c.nextHearingAt, field: "revenue_case.next_hearing_at")
        let decision = try PortalValidation.text(c.decision, field: "revenue_case.decision", min: 0, max: 5000)
        let now = core.now(), status = c.status, blob = hearings.serializedBytes()
        let (saved, followers): (Portal_V1_RevenueCase, [Int64]) = try await core.write { db in
            let before = try Self.load(db, number: number, citizenID: nil)
            if let before, before.departmentCode != client.departmentCode {
                throw PortalError.permissionDenied("revenue case \(number) belongs to another department")
            }
            try db.run("""
                INSERT INTO revenue_cases (case_number, department_code, district_code, title, case_type, court, status, hearings,
                    next_hearing_at, decision, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (case_number) DO UPDATE SET district_code = excluded.district_code, title = excluded.title,
                    case_type = excluded.case_type, court = excluded.court, status = excluded.status, hearings = excluded.hearings,
                    next_hearing_at = excluded.next_hearing_at, decision = excluded.decision, updated_at = excluded.updated_at
                """, number, client.departmentCode, district.code, title, caseType, court, Int64(status.rawValue), blob, next, decision, now)
            let after = try Self.load(db, number: number, citizenID: nil)!
            var followers: [Int64] = []
            if let before, let text = Self.news(before, after) {
                followers = try db.query("SELECT citizen_id FROM revenue_case_followers WHERE case_number = ?", [number]) { $0.int(0) }
                for f in followers { try MessageBox.append(db, citizenID: f, kind: .applicationStatus, reference: number, text: text, at: now) }
            }
            try AuditLog.append(db, at: now, actorID: client.auditID, action: "revenue_case.push", target: number, detail: "status=\(status.rawValue)")
            return (after, followers)
        }
        if !followers.isEmpty { core.hub.citizenMessagesChanged(followers) }
        return saved
    }

    /// What followers are told about a change, or nil when nothing they track changed.
    static func news(_ before: Portal_V1_RevenueCase, _ after: Portal_V1_RevenueCase) -> String? {
        let name = "Revenue case \(after.caseNumber) (\(after.title))"
        if after.status != before.status, after.status == .decided || after.status == .dismissed {
            return "\(name) was \(after.status == .decided ? "decided" : "dismissed")." + (after.decision.isEmpty ? "" : " \(after.decision)")
        }
        if let next = after.nextHearingAt?.millisIfValid, next != before.nextHearingAt?.millisIfValid {
            return "\(name): next hearing on \(PakistanTime.format(next)) before \(after.court)."
        }
        if after.status != before.status { return "\(name) is now \(after.status.label)." }
        if after.hearings != before.hearings || after.decision != before.decision { return "\(name): the case record was updated." }
        return nil
    }
}

extension Portal_V1_RevenueCaseStatus {
    var label: String {
        switch self {
        case .instituted: "instituted"
        case .underHearing: "under hearing"
        case .reservedForOrder: "reserved for order"
        case .decided: "decided"
        case .dismissed: "dismissed"
        default: "status \(rawValue)"
        }
    }
}
