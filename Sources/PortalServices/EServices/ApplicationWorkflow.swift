import PortalModel
import PortalStore

/// Who may handle which application: the department officers of its department in its
/// district, and the heads of its district (DC), division (Commissioner) and province (Chief
/// Secretary), as for complaints. Admins configure; they do not process applications.
struct ApplicationAccess: Sendable {
    let directory: Directory
    static let handlers: Set<Portal_V1_Role> = [.departmentOfficer, .deputyCommissioner, .commissioner, .chiefSecretary]

    func canHandle(_ staff: Principal.Staff, _ a: Portal_V1_Application) -> Bool {
        switch staff.role {
        case .departmentOfficer: staff.jurisdictionCode == a.districtCode && staff.departmentCode == a.departmentCode
        case .deputyCommissioner: staff.jurisdictionCode == a.districtCode
        case .commissioner: staff.jurisdictionCode == a.divisionCode
        case .chiefSecretary: directory.contains(staff.jurisdictionCode, a.districtCode)
        default: false
        }
    }
}

/// Every change to a submitted application, by an officer, by its department's back end, or by
/// its citizen: one transaction that checks the move, records the history entry, messages the
/// citizen and appends the audit entry. The citizen's watch stream is woken after the commit,
/// exactly as for complaint updates.
struct ApplicationWorkflow: Sendable {
    let core: PortalCore
    typealias Status = Portal_V1_ApplicationStatus

    /// A status change (or, with `.unspecified`, a remark alone) checked against the rules.
    struct Change: Sendable {
        var status: Status
        var remark: String
        var externalReference: String?
    }

    /// Validates what an officer or back end asks for: a status they may set, and the remark
    /// required with a rejection or with no status change.
    static func change(status: Status, remark: String, field: String = "status") throws(PortalError) -> Change {
        guard [.unspecified, .underReview, .approved, .rejected, .completed].contains(status) else {
            throw .invalidArgument(field: field, reason: "must be under review, approved, rejected or completed")
        }
        let needsRemark = status == .unspecified || status == .rejected
        let remark = try PortalValidation.text(remark, field: "remark", min: needsRemark ? 1 : 0, max: 2000)
        return Change(status: status, remark: remark)
    }

    func update(_ r: Portal_V1_UpdateApplicationStatusRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Application {
        let tracking = try ApplicationRecords.trackingNumber(r.trackingNumber)
        let change = try Self.change(status: r.status, remark: r.remark)
        let access = ApplicationAccess(directory: core.directory)
        return try await apply(change, to: tracking, by: ApplicationRecords.Actor(.staff(staff))) { a throws(PortalError) in
            guard access.canHandle(staff, a) else { throw .permissionDenied("application \(a.trackingNumber) is outside your jurisdiction") }
        }
    }

    /// A department back end's push; a repeated event id returns the application unchanged.
    func push(_ r: Portal_V1_PushApplicationStatusRequest, by client: IntegrationClients.Caller) async throws(PortalError) -> Portal_V1_Application {
        let eventID = try InfoValidation.key(r.eventId, field: "event_id")
        let tracking = try ApplicationRecords.trackingNumber(r.trackingNumber)
        let reference = try PortalValidation.text(r.externalReference, field: "external_reference", min: 0, max: 64)
        // A back end may also just record its own reference.
        var change = r.status == .unspecified && r.remark.trimmingWhitespace.isEmpty && !reference.isEmpty
            ? Change(status: .unspecified, remark: "") : try Self.change(status: r.status, remark: r.remark)
        if !reference.isEmpty { change.externalReference = reference }
        return try await apply(change, to: tracking, by: ApplicationRecords.Actor(client), eventID: (client.id, eventID)) { a throws(PortalError) in
            guard a.departmentCode == client.departmentCode else {
                throw .permissionDenied("application \(a.trackingNumber) belongs to another department")
            }
        }
    }

    func withdraw(_ r: Portal_V1_WithdrawApplicationRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Application {
        let tracking = try ApplicationRecords.trackingNumber(r.trackingNumber)
        let reason = try PortalValidation.text(r.reason, field: "reason", min: 0, max: 500)
        return try await apply(Change(status: .withdrawn, remark: reason), to: tracking, by: ApplicationRecords.Actor(.citizen(citizen))) { a throws(PortalError) in
            guard a.citizenId == String(citizen.id) else { throw .permissionDenied("application \(a.trackingNumber) is not yours") }
            guard [.submitted, .underReview].contains(a.status) else {
                throw .failedPrecondition("a \(a.status.label) application cannot be withdrawn")
            }
        }
    }

    private func apply(_ change: Change, to tracking: String, by actor: ApplicationRecords.Actor, eventID: (Int64, String)? = nil,
                       check: @escaping @Sendable (Portal_V1_Application) throws(PortalError) -> Void) async throws(PortalError) -> Portal_V1_Application {
        let now = core.now()
        let (application, messaged): (Portal_V1_Application, Bool) = try await core.write { db in
            guard let a = try ApplicationRecords.load(db, tracking: tracking) else { throw PortalError.notFound("application \(tracking) not found") }
            try check(a)
            if let (client, event) = eventID {
                if try db.queryOne("SELECT 1 FROM integration_events WHERE client_id = ? AND event_id = ?", [client, event], { _ in true }) != nil {
                    return (a, false)
                }
                try db.run("INSERT INTO integration_events (client_id, event_id, application_id, at) VALUES (?, ?, ?, ?)", client, event, Int64(a.id), now)
            }
            let id = Int64(a.id)
            if change.status != .unspecified {
                guard change.status == .withdrawn || ApplicationRecords.allowed(from: a.status, to: change.status) else {
                    throw PortalError.failedPrecondition("a \(a.status.label) application cannot become \(change.status.label)")
                }
                try db.run("UPDATE applications SET status = ? WHERE id = ?", Int64(change.status.rawValue), id)
            }
            if let reference = change.externalReference {
                try db.run("UPDATE applications SET external_reference = ? WHERE id = ?", reference, id)
            }
            try db.run("UPDATE applications SET updated_at = ? WHERE id = ?", now, id)
            let citizenID = Int64(a.citizenId) ?? 0
            if change.status != .unspecified || !change.remark.isEmpty {
                try ApplicationRecords.addEvent(db, applicationID: id, at: now, actor: actor, status: change.status, remark: change.remark)
                try MessageBox.append(db, citizenID: citizenID, kind: .applicationStatus, reference: a.trackingNumber,
                                      text: Self.message(a, change), at: now)
            }
            try actor.audit(db, at: now, action: change.status == .withdrawn ? "application.withdraw" : "application.update",
                            target: a.trackingNumber, detail: "status=\(change.status.rawValue)")
            return (try ApplicationRecords.load(db, id: id)!, change.status != .unspecified || !change.remark.isEmpty)
        }
        if messaged, let citizen = Int64(application.citizenId) { core.hub.citizenMessagesChanged([citizen]) }
        return application
    }

    static func message(_ a: Portal_V1_Application, _ change: Change) -> String {
        let remarks = change.remark.isEmpty ? "" : " Remarks: \(change.remark)"
        switch change.status {
        case .unspecified: return "Update on your \(a.kind.label) \(a.trackingNumber):\(remarks)"
        case .withdrawn: return "Your \(a.kind.label) \(a.trackingNumber) was withdrawn as you asked."
        case .completed: return "Your \(a.kind.label) \(a.trackingNumber) is completed.\(remarks)"
        default: return "Your \(a.kind.label) \(a.trackingNumber) is now \(change.status.label).\(remarks)"
        }
    }
}
