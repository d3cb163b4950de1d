import PortalModel
import PortalStore

/// Reading complaints out of the store into their protobuf shape.
enum ComplaintRecords {
    /// The columns `row(_:)` expects, in order.
    static let columns = """
        c.id, c.code, c.citizen_id, c.category_code, c.department_code, c.description, c.district_code, c.division_code,
        c.latitude, c.longitude, c.accuracy_m, c.address, c.status, c.tier, c.reopen_count, c.filed_at,
        c.clock_started_at, c.updated_at, c.resolved_at
        """

    static func row(_ r: borrowing Row) -> Portal_V1_Complaint {
        var c = Portal_V1_Complaint()
        c.id = UInt64(r.int(0))
        c.code = r.text(1)
        c.citizenId = String(r.int(2))
        c.categoryCode = r.text(3)
        c.departmentCode = r.text(4)
        c.description_p = r.text(5)
        c.districtCode = r.text(6)
        c.divisionCode = r.text(7)
        if !r.isNull(8), !r.isNull(9) {
            var g = Portal_V1_GeoPoint()
            g.latitude = r.double(8)
            g.longitude = r.double(9)
            if !r.isNull(10) { g.accuracyM = Float(r.double(10)) }
            c.location = g
        }
        c.address = r.text(11)
        c.status = Portal_V1_ComplaintStatus(rawValue: Int32(r.int(12)))
        c.tier = Portal_V1_Tier(rawValue: Int32(r.int(13)))
        c.reopenCount = UInt32(r.int(14))
        c.filedAt = .init(millis: r.int(15))
        c.clockStartedAt = .init(millis: r.int(16))
        c.updatedAt = .init(millis: r.int(17))
        if let resolved = r.optionalInt(18) { c.resolvedAt = .init(millis: resolved) }
        return c
    }

    /// One complaint by code, with assignees, attachments, latest feedback and (optionally)
    /// its timeline.
    static func load(_ db: Database, code: String, timeline: Bool) throws -> Portal_V1_Complaint? {
        guard var c = try db.queryOne("SELECT \(columns) FROM complaints c WHERE c.code = ?", [code], row) else { return nil }
        try complete(db, &c, timeline: timeline)
        return c
    }

    static func load(_ db: Database, id: Int64, timeline: Bool) throws -> Portal_V1_Complaint? {
        guard var c = try db.queryOne("SELECT \(columns) FROM complaints c WHERE c.id = ?", [id], row) else { return nil }
        try complete(db, &c, timeline: timeline)
        return c
    }

    static func complete(_ db: Database, _ c: inout Portal_V1_Complaint, timeline: Bool) throws {
        let id = Int64(c.id)
        c.assignedOfficerIds = try db.query("SELECT staff_id FROM complaint_assignees WHERE complaint_id = ? ORDER BY staff_id", [id]) { String($0.int(0)) }
        c.attachments = try db.query("SELECT \(attachmentColumns) FROM attachments WHERE complaint_id = ? ORDER BY created_at, id", [id], attachment)
        c.feedback = try db.queryOne("SELECT satisfied, time_rating, quality_rating, comment, given_at FROM feedback WHERE complaint_id = ? ORDER BY id DESC LIMIT 1", [id], feedback)
        if timeline { c.timeline = try events(db, complaintID: id) }
    }

    /// The columns `attachment(_:)` expects, in order.
    static let attachmentColumns = "id, kind, content_type, size_bytes, sha256"

    static func attachment(_ r: borrowing Row) -> Portal_V1_Attachment {
        var a = Portal_V1_Attachment()
        a.id = r.text(0)
        a.kind = Portal_V1_AttachmentKind(rawValue: Int32(r.int(1)))
        a.contentType = r.text(2)
        a.sizeBytes = UInt64(r.int(3))
        a.sha256 = r.blob(4)
        return a
    }

    static func feedback(_ r: borrowing Row) -> Portal_V1_Feedback {
        var f = Portal_V1_Feedback()
        f.satisfied = r.int(0) != 0
        f.timeRating = UInt32(r.int(1))
        f.qualityRating = UInt32(r.int(2))
        f.comment = r.text(3)
        f.givenAt = .init(millis: r.int(4))
        return f
    }

    static func events(_ db: Database, complaintID: Int64) throws -> [Portal_V1_ComplaintEvent] {
        try db.query("SELECT at, actor_role, actor_name, kind, value, text FROM complaint_events WHERE complaint_id = ? ORDER BY id", [complaintID]) { r in
            var e = Portal_V1_ComplaintEvent()
            e.at = .init(millis: r.int(0))
            e.actorRole = Portal_V1_Role(rawValue: Int32(r.int(1)))
            e.actorName = r.text(2)
            let value = r.optionalInt(4) ?? 0
            let text = r.optionalText(5) ?? ""
            switch EventKind(rawValue: r.int(3)) {
            case .status: e.change = .status(Portal_V1_ComplaintStatus(rawValue: Int32(value)))
            case .remark: e.change = .remark(text)
            case .assigned:
                var a = Portal_V1_ComplaintEvent.Assignment()
                a.officerIds = text.split(separator: ",").map(String.init)
                e.change = .assigned(a)
            case .escalated: e.change = .escalatedTo(Portal_V1_Tier(rawValue: Int32(value)))
            case .transferred: e.change = .transferredTo(text)
            case .feedback:
                var f = Portal_V1_Feedback()
                let parts = text.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
                if parts.count == 4 {
                    f.satisfied = parts[0] == "1"
                    f.timeRating = UInt32(parts[1]) ?? 0
                    f.qualityRating = UInt32(parts[2]) ?? 0
                    f.comment = String(parts[3])
                }
                f.givenAt = e.at
                e.change = .feedback(f)
            case nil: break
            }
            return e
        }
    }

    enum EventKind: Int64 {
        case status = 1, remark, assigned, escalated, transferred, feedback
    }

    /// Appends a timeline event inside the caller's transaction.
    static func addEvent(_ db: Database, complaintID: Int64, at: Int64, actor: Principal?, kind: EventKind,
                         value: Int64? = nil, text: String? = nil) throws {
        try db.run("INSERT INTO complaint_events (complaint_id, at, actor_role, actor_name, kind, value, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   complaintID, at, Int64(actor?.role.rawValue ?? 0), actor?.displayName ?? "Citizen Portal", kind.rawValue, value, text)
    }
}
