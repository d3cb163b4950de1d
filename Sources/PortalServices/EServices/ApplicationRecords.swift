import PortalModel
import PortalStore

/// Reading and writing applications in the store: rows, history, attachments, tracking
/// numbers, and the status rules shared by officers, department back ends and citizens.
enum ApplicationRecords {
    typealias Status = Portal_V1_ApplicationStatus

    static let columns = """
        a.id, a.tracking_number, a.kind, a.citizen_id, a.district_code, a.division_code, a.department_code, a.status,
        a.submitted_at, a.updated_at, a.external_reference, a.details
        """

    static func row(_ r: borrowing Row) -> Portal_V1_Application {
        var a = Portal_V1_Application()
        a.id = UInt64(r.int(0))
        a.trackingNumber = r.text(1)
        a.kind = Portal_V1_ApplicationKind(rawValue: Int32(r.int(2)))
        a.citizenId = String(r.int(3))
        a.districtCode = r.text(4); a.divisionCode = r.text(5); a.departmentCode = r.text(6)
        a.status = Status(rawValue: Int32(r.int(7)))
        a.submittedAt = .init(millis: r.int(8)); a.updatedAt = .init(millis: r.int(9))
        a.externalReference = r.text(10)
        a.details = (try? Portal_V1_Application(serializedBytes: r.blob(11)))?.details
        return a
    }

    static func load(_ db: Database, tracking: String) throws -> Portal_V1_Application? {
        guard var a = try db.queryOne("SELECT \(columns) FROM applications a WHERE a.tracking_number = ?", [tracking], row) else { return nil }
        try complete(db, &a)
        return a
    }

    static func load(_ db: Database, id: Int64) throws -> Portal_V1_Application? {
        guard var a = try db.queryOne("SELECT \(columns) FROM applications a WHERE a.id = ?", [id], row) else { return nil }
        try complete(db, &a)
        return a
    }

    /// Adds attachments and the history (what lists leave out).
    static func complete(_ db: Database, _ a: inout Portal_V1_Application) throws {
        let id = Int64(a.id)
        a.attachments = try db.query("SELECT id, kind, content_type, size_bytes, sha256 FROM application_attachments WHERE application_id = ? ORDER BY created_at, id", [id]) { r in
            var x = Portal_V1_Attachment()
            x.id = r.text(0); x.kind = Portal_V1_AttachmentKind(rawValue: Int32(r.int(1))); x.contentType = r.text(2)
            x.sizeBytes = UInt64(r.int(3)); x.sha256 = r.blob(4)
            return x
        }
        a.history = try db.query("SELECT at, actor_role, actor_name, status, remark, by_integration FROM application_events WHERE application_id = ? ORDER BY id", [id]) { r in
            var e = Portal_V1_ApplicationEvent()
            e.at = .init(millis: r.int(0)); e.actorRole = Portal_V1_Role(rawValue: Int32(r.int(1))); e.actorName = r.text(2)
            e.status = Status(rawValue: Int32(r.int(3))); e.remark = r.text(4); e.byIntegration = r.int(5) != 0
            return e
        }
    }

    /// Who changed an application: a citizen, an officer, or a department back end.
    struct Actor: Sendable {
        var role: Portal_V1_Role
        var name: String
        var auditID: String
        var byIntegration: Bool
        var principal: Principal?

        init(_ p: Principal) {
            role = p.role; name = p.displayName; auditID = p.auditID; byIntegration = false; principal = p
        }

        init(_ client: IntegrationClients.Caller) {
            role = .unspecified; name = client.name; auditID = client.auditID; byIntegration = true; principal = nil
        }

        func audit(_ db: Database, at: Int64, action: String, target: String, detail: String = "") throws {
            if let principal {
                try AuditLog.append(db, at: at, actor: principal, action: action, target: target, detail: detail)
            } else {
                try AuditLog.append(db, at: at, actorID: auditID, action: action, target: target, detail: detail)
            }
        }
    }

    static func addEvent(_ db: Database, applicationID: Int64, at: Int64, actor: Actor, status: Status, remark: String) throws {
        try db.run("INSERT INTO application_events (application_id, at, actor_role, actor_name, status, remark, by_integration) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   applicationID, at, Int64(actor.role.rawValue), actor.name, Int64(status.rawValue), remark, actor.byIntegration)
    }

    /// `<prefix>-<district>-<year>-<serial>`, e.g. DOM-PSH-2026-000042.
    static func nextTrackingNumber(_ db: Database, kind: Portal_V1_ApplicationKind, district: String, at now: Int64) throws -> String {
        let prefix = "\(kind == .domicile ? "DOM" : "INT")-\(district)"
        let year = CivilDate.year(ofMillis: now)
        let serial = try db.queryOne("""
            INSERT INTO application_codes (prefix, year, last) VALUES (?, ?, 1)
            ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1 RETURNING last
            """, [prefix, Int64(year)], { $0.int(0) })!
        return "\(prefix)-\(year)-\(ComplaintFiling.zeroPadded(serial, width: 6))"
    }

    /// Moves the citizen's unused uploads to the application: they leave `attachments` (so they
    /// are neither pending nor attachable to a complaint) and keep their stored file.
    static func takeAttachments(_ db: Database, _ ids: [String], citizenID: Int64, applicationID: Int64) throws {
        for id in ids {
            guard try db.run("""
                INSERT INTO application_attachments (id, application_id, kind, content_type, size_bytes, sha256, created_at)
                SELECT id, ?, kind, content_type, size_bytes, sha256, created_at FROM attachments
                WHERE id = ? AND citizen_id = ? AND complaint_id IS NULL
                """, applicationID, id, citizenID) == 1
            else { throw PortalError.invalidArgument(field: "attachment_ids", reason: "\(id) is not an unused upload of yours") }
            try db.run("DELETE FROM attachments WHERE id = ?", id)
        }
    }

    /// The moves officers and department back ends may make.
    static func allowed(from: Status, to: Status) -> Bool {
        switch (from, to) {
        case (.submitted, .underReview), (.submitted, .approved), (.submitted, .rejected),
             (.underReview, .approved), (.underReview, .rejected), (.approved, .completed): true
        default: false
        }
    }

    /// A tracking number as typed: upper-cased, letters, digits and '-', at most 40 characters.
    static func trackingNumber(_ s: String, field: String = "tracking_number") throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing(field) }
        let upper = s.uppercased()
        guard upper.utf8.count <= 40,
              upper.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2D })
        else { throw .invalidArgument(field: field, reason: "is not a tracking number (like DOM-PSH-2026-000042)") }
        return upper
    }
}

extension Portal_V1_ApplicationStatus {
    var label: String {
        switch self {
        case .submitted: "submitted"
        case .underReview: "under review"
        case .approved: "approved"
        case .rejected: "rejected"
        case .completed: "completed"
        case .withdrawn: "withdrawn"
        case .unspecified: "unspecified"
        case .UNRECOGNIZED(let v): "status \(v)"
        }
    }
}

extension Portal_V1_ApplicationKind {
    var label: String { self == .domicile ? "domicile application" : "internship application" }
}
