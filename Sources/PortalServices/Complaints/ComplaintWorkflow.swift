import PortalModel
import PortalStore

/// Every change to a filed complaint, by officers and by its citizen. Each runs in one write
/// transaction: load, check who may do it and whether the status allows it, change, record
/// the timeline event, message the citizen, append to the audit log. Watchers are told only
/// after the commit.
struct ComplaintWorkflow: Sendable {
    let core: PortalCore
    var access: ComplaintAccess { ComplaintAccess(directory: core.directory) }

    typealias Status = Portal_V1_ComplaintStatus

    /// What a change wants announced after its commit.
    struct Effects: Sendable {
        var queue: [Portal_V1_QueueEventKind] = []
        var messagedCitizen = false
        var extraDistricts: [String] = []
    }

    /// Loads `code`, runs `change` in the transaction, reloads, and publishes the effects.
    func mutate(_ code: String, _ change: @escaping @Sendable (Database, Portal_V1_Complaint, Int64) throws -> Effects)
        async throws(PortalError) -> Portal_V1_Complaint {
        let code = try PortalValidation.complaintCode(code, field: "code")
        let now = core.now()
        let (complaint, effects): (Portal_V1_Complaint, Effects) = try await core.write { db in
            guard let before = try ComplaintRecords.load(db, code: code, timeline: false) else {
                throw PortalError.notFound("complaint \(code) not found")
            }
            let effects = try change(db, before, now)
            try db.run("UPDATE complaints SET updated_at = ? WHERE id = ?", now, Int64(before.id))
            return (try ComplaintRecords.load(db, id: Int64(before.id), timeline: true)!, effects)
        }
        if effects.messagedCitizen, let citizen = Int64(complaint.citizenId) { core.hub.citizenMessagesChanged([citizen]) }
        core.hub.publishQueue(effects.queue.map { .init(kind: $0, complaint: complaint, at: now) })
        core.hub.districtChanged([complaint.districtCode] + effects.extraDistricts)
        return complaint
    }

    // MARK: officers

    func assign(_ r: Portal_V1_AssignComplaintRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Complaint {
        guard !r.officerIds.isEmpty else { throw .missing("officer_ids") }
        guard r.officerIds.count <= 20 else { throw .invalidArgument(field: "officer_ids", reason: "at most 20 officers") }
        let ids = try r.officerIds.map { id throws(PortalError) in try PortalValidation.id(id, field: "officer_ids") }
        let remark = try PortalValidation.text(r.remark, field: "remark", min: 0, max: 2000)
        let access = self.access
        let actor = Principal.staff(staff)
        return try await mutate(r.code) { db, c, now in
            guard access.canSupervise(staff, c) else { throw PortalError.permissionDenied("complaint \(c.code) is outside your jurisdiction") }
            guard [.new, .assigned, .infoRequested, .reopened, .systemic].contains(c.status) else {
                throw PortalError.failedPrecondition("a \(c.status.label) complaint cannot be assigned")
            }
            for id in ids {
                let ok = try db.queryOne("SELECT 1 FROM staff WHERE id = ? AND role = ? AND jurisdiction_code = ? AND active = 1",
                                         [id, Int64(Portal_V1_Role.departmentOfficer.rawValue), c.districtCode], { _ in true }) ?? false
                guard ok else {
                    throw PortalError.invalidArgument(field: "officer_ids", reason: "\(id) is not an active department officer of \(c.districtCode)")
                }
                try db.run("INSERT OR IGNORE INTO complaint_assignees (complaint_id, staff_id, assigned_at) VALUES (?, ?, ?)", Int64(c.id), id, now)
            }
            if c.status != .systemic { try setStatus(db, c, .assigned, now: now, actor: actor, record: c.status != .assigned) }
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .assigned,
                                          text: ids.map(String.init).joined(separator: ","))
            if !remark.isEmpty { try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .remark, text: remark) }
            try notifyCitizen(db, c, .complaintAssigned, "Your complaint \(c.code) was assigned to the concerned officer.", now)
            try AuditLog.append(db, at: now, actor: actor, action: "complaint.assign", target: c.code, detail: "officers=\(ids.map(String.init).joined(separator: ","))")
            return Effects(queue: [.assigned], messagedCitizen: true)
        }
    }

    func addRemark(_ r: Portal_V1_AddRemarkRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Complaint {
        let remark = try PortalValidation.text(r.remark, field: "remark", min: 1, max: 2000)
        let access = self.access
        let actor = Principal.staff(staff)
        return try await mutate(r.code) { db, c, now in
            guard access.canWork(staff, c) else { throw PortalError.permissionDenied("complaint \(c.code) is not yours to handle") }
            guard c.status != .closed else { throw PortalError.failedPrecondition("the complaint is closed") }
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .remark, text: remark)
            try notifyCitizen(db, c, .remarkAdded, "Update on your complaint \(c.code): \(remark.asSentence)", now)
            try AuditLog.append(db, at: now, actor: actor, action: "complaint.remark", target: c.code)
            return Effects(messagedCitizen: true)
        }
    }

    func requestInformation(_ r: Portal_V1_RequestInformationRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Complaint {
        let question = try PortalValidation.text(r.question, field: "question", min: 1, max: 2000)
        let access = self.access
        let actor = Principal.staff(staff)
        return try await mutate(r.code) { db, c, now in
            guard access.canWork(staff, c) else { throw PortalError.permissionDenied("complaint \(c.code) is not yours to handle") }
            guard [.new, .assigned, .reopened].contains(c.status) else {
                throw PortalError.failedPrecondition("information cannot be requested on a \(c.status.label) complaint")
            }
            try setStatus(db, c, .infoRequested, now: now, actor: actor)
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .remark, text: question)
            try notifyCitizen(db, c, .informationRequested, "The officer needs more information on \(c.code): \(question.asSentence)", now)
            try AuditLog.append(db, at: now, actor: actor, action: "complaint.request_information", target: c.code)
            return Effects(messagedCitizen: true)
        }
    }

    func resolve(_ r: Portal_V1_ResolveComplaintRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Complaint {
        let remarks = try PortalValidation.text(r.remarks, field: "remarks", min: 1, max: 5000)
        let attachments = try PortalValidation.attachmentIDs(r.attachmentIds, max: core.configuration.maxAttachmentsPerComplaint)
        let access = self.access
        let actor = Principal.staff(staff)
        return try await mutate(r.code) { db, c, now in
            guard access.canWork(staff, c) else { throw PortalError.permissionDenied("complaint \(c.code) is not yours to handle") }
            guard [.new, .assigned, .infoRequested, .reopened, .systemic].contains(c.status) else {
                throw PortalError.failedPrecondition("a \(c.status.label) complaint cannot be resolved")
            }
            for a in attachments {
                guard try db.run("UPDATE attachments SET complaint_id = ? WHERE id = ? AND staff_id = ? AND complaint_id IS NULL",
                                 Int64(c.id), a, staff.id) == 1
                else { throw PortalError.invalidArgument(field: "attachment_ids", reason: "\(a) is not an unused upload of yours") }
            }
            try setStatus(db, c, .resolved, now: now, actor: actor)
            try db.run("UPDATE complaints SET resolved_at = ? WHERE id = ?", now, Int64(c.id))
            try db.run("UPDATE complaint_assignees SET resolved_at = ? WHERE complaint_id = ? AND resolved_at IS NULL", now, Int64(c.id))
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .remark, text: remarks)
            try notifyCitizen(db, c, .complaintResolved,
                              "Your complaint \(c.code) was resolved: \(remarks.asSentence) Please tell us if you are satisfied.", now)
            try AuditLog.append(db, at: now, actor: actor, action: "complaint.resolve", target: c.code)
            return Effects(messagedCitizen: true)
        }
    }

    func transfer(_ r: Portal_V1_TransferComplaintRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Complaint {
        let target = try core.directory.district(r.districtCode, field: "district_code")
        let reason = try PortalValidation.text(r.reason, field: "reason", min: 1, max: 2000)
        let access = self.access
        let actor = Principal.staff(staff)
        return try await mutate(r.code) { db, c, now in
            guard access.canSupervise(staff, c) else { throw PortalError.permissionDenied("complaint \(c.code) is outside your jurisdiction") }
            guard target.code != c.districtCode else { throw PortalError.invalidArgument(field: "district_code", reason: "is already the complaint's district") }
            guard OpenComplaints.statuses.contains(c.status) else {
                throw PortalError.failedPrecondition("a \(c.status.label) complaint cannot be transferred")
            }
            try db.run("UPDATE complaints SET district_code = ?, division_code = ?, tier = 1 WHERE id = ?", target.code, target.parentCode, Int64(c.id))
            try db.run("DELETE FROM complaint_assignees WHERE complaint_id = ?", Int64(c.id))
            if c.status != .new { try setStatus(db, c, .new, now: now, actor: actor) }
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .transferred, text: target.code)
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .remark, text: reason)
            try notifyCitizen(db, c, .complaintTransferred, "Your complaint \(c.code) was transferred to the Deputy Commissioner, \(target.name).", now)
            try AuditLog.append(db, at: now, actor: actor, action: "complaint.transfer", target: c.code, detail: "from=\(c.districtCode) to=\(target.code)")
            return Effects(queue: [.transferredIn], messagedCitizen: true, extraDistricts: [c.districtCode])
        }
    }

    func markSystemic(_ r: Portal_V1_MarkSystemicRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Complaint {
        let remark = try PortalValidation.text(r.remark, field: "remark", min: 1, max: 2000)
        let access = self.access
        let actor = Principal.staff(staff)
        return try await mutate(r.code) { db, c, now in
            guard access.canSupervise(staff, c) else { throw PortalError.permissionDenied("complaint \(c.code) is outside your jurisdiction") }
            guard OpenComplaints.statuses.contains(c.status) else {
                throw PortalError.failedPrecondition("a \(c.status.label) complaint cannot be marked systemic")
            }
            try setStatus(db, c, .systemic, now: now, actor: actor)
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .remark, text: remark)
            try notifyCitizen(db, c, .complaintSystemic,
                              "Your complaint \(c.code) concerns a policy or systemic issue; it stays open and visible until addressed. \(remark.asSentence)", now)
            try AuditLog.append(db, at: now, actor: actor, action: "complaint.mark_systemic", target: c.code)
            return Effects(messagedCitizen: true)
        }
    }

    // MARK: shared steps

    func setStatus(_ db: Database, _ c: Portal_V1_Complaint, _ status: Status, now: Int64, actor: Principal?, record: Bool = true) throws {
        try db.run("UPDATE complaints SET status = ? WHERE id = ?", Int64(status.rawValue), Int64(c.id))
        if record {
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .status, value: Int64(status.rawValue))
        }
    }

    func notifyCitizen(_ db: Database, _ c: Portal_V1_Complaint, _ kind: Portal_V1_MessageKind, _ text: String, _ now: Int64) throws {
        guard let citizen = Int64(c.citizenId) else { return }
        try MessageBox.append(db, citizenID: citizen, kind: kind, reference: c.code, text: text, at: now)
    }
}

extension String {
    /// The text as a sentence for a message: ends with '.', '!', '?' or '۔' (Urdu full stop).
    var asSentence: String {
        guard let last = last else { return self }
        return ".!?۔".contains(last) ? self : self + "."
    }
}

extension Portal_V1_ComplaintStatus {
    /// Lower-case words for messages: "resolved", "information requested".
    var label: String {
        switch self {
        case .unspecified: "unspecified"
        case .new: "new"
        case .assigned: "assigned"
        case .infoRequested: "information requested"
        case .resolved: "resolved"
        case .closed: "closed"
        case .reopened: "reopened"
        case .systemic: "systemic"
        case .UNRECOGNIZED(let v): "status \(v)"
        }
    }
}
