import PortalModel
import PortalStore

/// Filing a complaint: validation, the human-typable code, routing to the district's Deputy
/// Commissioner, idempotent retries.
struct ComplaintFiling: Sendable {
    let core: PortalCore

    private enum Filed: Sendable {
        /// A retry of an earlier filing (same idempotency key): that complaint's id.
        case existing(Int64)
        /// A new complaint: its row id, code and the uploads now attached to it.
        case new(id: Int64, code: String, attachments: [Portal_V1_Attachment])
    }

    func file(_ request: Portal_V1_FileComplaintRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Complaint {
        let key = request.idempotencyKey
        guard (8...64).contains(key.utf8.count),
              key.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || $0 == 0x3A })
        else { throw .invalidArgument(field: "idempotency_key", reason: "must be 8-64 characters of letters, digits, '-', '_', '.', ':'") }
        guard !request.categoryCode.isEmpty else { throw .missing("category_code") }
        guard let category = core.directory.category(request.categoryCode), category.active else {
            throw .invalidArgument(field: "category_code", reason: "is not an open complaint category")
        }
        let description = try PortalValidation.text(request.description_p, field: "description", min: 10, max: 5000)
        let district = try core.directory.district(request.districtCode.isEmpty ? citizen.districtCode : request.districtCode,
                                                   field: "district_code")
        let address = try PortalValidation.text(request.address, field: "address", min: 0, max: 500)
        var point: (Double, Double, Double?)?
        if let g = request.location {
            try PortalValidation.geoPoint(latitude: g.latitude, longitude: g.longitude, field: "location")
            let accuracy = g.accuracyM.flatMap { $0.isFinite && $0 >= 0 ? Double($0) : nil }
            point = (g.latitude, g.longitude, accuracy)
        }
        let location = point
        let attachmentIDs = try PortalValidation.attachmentIDs(request.attachmentIds, max: core.configuration.maxAttachmentsPerComplaint)
        let now = core.now()
        let year = CivilDate.year(ofMillis: now)
        let citizenID = citizen.id
        let principal = Principal.citizen(citizen)

        let filed: Filed = try await core.write { db in
            if let existing = try db.queryOne("SELECT id FROM complaints WHERE citizen_id = ? AND idempotency_key = ?",
                                              [citizenID, key], { $0.int(0) }) {
                return .existing(existing)
            }
            // Two statements rather than one with RETURNING, which SQLite runs through a
            // temporary B-tree (opened, zeroed and closed on every call: docs/PERFORMANCE-PORTAL.md).
            try db.run("""
                INSERT INTO complaint_codes (district_code, year, last) VALUES (?, ?, 1)
                ON CONFLICT (district_code, year) DO UPDATE SET last = last + 1
                """, district.code, Int64(year))
            let serial = try db.queryOne("SELECT last FROM complaint_codes WHERE district_code = ? AND year = ?",
                                         [district.code, Int64(year)], { $0.int(0) })!
            let code = "\(district.code)-\(year)-\(Self.zeroPadded(serial, width: 6))"
            try db.run("""
                INSERT INTO complaints (code, citizen_id, idempotency_key, category_code, department_code, description,
                    district_code, division_code, latitude, longitude, accuracy_m, address, status, tier,
                    filed_at, clock_started_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
                """, code, citizenID, key, category.code, category.departmentCode, description,
                district.code, district.parentCode, location?.0, location?.1, location?.2, address,
                Int64(Portal_V1_ComplaintStatus.new.rawValue), now, now, now)
            let id = db.lastInsertRowID
            try ComplaintCounters.complaintInserted(db, district: district.code, category: category.code, filedAt: now,
                                                    status: Int64(Portal_V1_ComplaintStatus.new.rawValue), tier: 1, reopened: false)
            var attached: [(createdAt: Int64, attachment: Portal_V1_Attachment)] = []
            for attachment in attachmentIDs {
                let row = try db.queryOne("""
                    UPDATE attachments SET complaint_id = ? WHERE id = ? AND citizen_id = ? AND complaint_id IS NULL
                    RETURNING \(ComplaintRecords.attachmentColumns), created_at
                    """, [id, attachment, citizenID]) { r in (createdAt: r.int(5), attachment: ComplaintRecords.attachment(r)) }
                guard let row else {
                    throw PortalError.invalidArgument(field: "attachment_ids", reason: "\(attachment) is not an unused upload of yours")
                }
                attached.append(row)
            }
            // The order GetComplaint lists them in (created_at, then id; ids are ASCII).
            attached.sort { ($0.createdAt, $0.attachment.id) < ($1.createdAt, $1.attachment.id) }
            try ComplaintRecords.addEvent(db, complaintID: id, at: now, actor: principal, kind: .status,
                                          value: Int64(Portal_V1_ComplaintStatus.new.rawValue))
            try MessageBox.append(db, citizenID: citizenID, kind: .complaintFiled, reference: code,
                                  text: "Your complaint \(code) was registered and sent to the Deputy Commissioner, \(district.name).", at: now)
            try AuditLog.append(db, at: now, actor: principal, action: "complaint.file", target: code)
            return .new(id: id, code: code, attachments: attached.map(\.attachment))
        }
        switch filed {
        case .existing(let id):
            // A retry: the complaint as it stands now, read on a reader (it may have moved on
            // since it was filed). Complaints are never deleted.
            return try await core.read { db in try ComplaintRecords.load(db, id: id, timeline: true)! }
        case .new(let id, let code, let attachments):
            // Built from the values just written rather than read back: exactly what
            // GetComplaint returns for it until something changes it (a test holds the two equal).
            var complaint = Portal_V1_Complaint()
            complaint.id = UInt64(id)
            complaint.code = code
            complaint.citizenId = String(citizenID)
            complaint.categoryCode = category.code
            complaint.departmentCode = category.departmentCode
            complaint.description_p = description
            complaint.districtCode = district.code
            complaint.divisionCode = district.parentCode
            if let location {
                var g = Portal_V1_GeoPoint()
                g.latitude = location.0
                g.longitude = location.1
                if let accuracy = location.2 { g.accuracyM = Float(accuracy) }
                complaint.location = g
            }
            complaint.address = address
            complaint.status = .new
            complaint.tier = .district
            complaint.filedAt = .init(millis: now)
            complaint.clockStartedAt = .init(millis: now)
            complaint.updatedAt = .init(millis: now)
            complaint.attachments = attachments
            var event = Portal_V1_ComplaintEvent()
            event.at = .init(millis: now)
            event.actorRole = principal.role
            event.actorName = principal.displayName
            event.change = .status(.new)
            complaint.timeline = [event]
            core.hub.citizenMessagesChanged([citizenID])
            core.hub.publishQueue([.init(kind: .new, complaint: complaint, at: now)])
            core.hub.districtChanged([complaint.districtCode])
            return complaint
        }
    }

    static func zeroPadded(_ n: Int64, width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
