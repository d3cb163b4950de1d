import PortalModel
import PortalStore

/// Filing a complaint: validation, the human-typable code, routing to the district's Deputy
/// Commissioner, idempotent retries.
struct ComplaintFiling: Sendable {
    let core: PortalCore

    private struct Filed: Sendable {
        var id: Int64
        var isNew: Bool
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
                return Filed(id: existing, isNew: false)
            }
            let serial = try db.queryOne("""
                INSERT INTO complaint_codes (district_code, year, last) VALUES (?, ?, 1)
                ON CONFLICT (district_code, year) DO UPDATE SET last = last + 1 RETURNING last
                """, [district.code, Int64(year)], { $0.int(0) })!
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
            for attachment in attachmentIDs {
                let changed = try db.run("UPDATE attachments SET complaint_id = ? WHERE id = ? AND citizen_id = ? AND complaint_id IS NULL",
                                         id, attachment, citizenID)
                guard changed == 1 else {
                    throw PortalError.invalidArgument(field: "attachment_ids", reason: "\(attachment) is not an unused upload of yours")
                }
            }
            try ComplaintRecords.addEvent(db, complaintID: id, at: now, actor: principal, kind: .status,
                                          value: Int64(Portal_V1_ComplaintStatus.new.rawValue))
            try MessageBox.append(db, citizenID: citizenID, kind: .complaintFiled, reference: code,
                                  text: "Your complaint \(code) was registered and sent to the Deputy Commissioner, \(district.name).", at: now)
            try AuditLog.append(db, at: now, actor: principal, action: "complaint.file", target: code)
            return Filed(id: id, isNew: true)
        }
        // Read back on a reader, not on the writer thread every write waits for. It sees the
        // commit (a read sees every write acknowledged before it); complaints are never deleted.
        let complaint = try await core.read { db in try ComplaintRecords.load(db, id: filed.id, timeline: true)! }
        if filed.isNew {
            core.hub.citizenMessagesChanged([citizenID])
            core.hub.publishQueue([.init(kind: .new, complaint: complaint, at: now)])
            core.hub.districtChanged([complaint.districtCode])
        }
        return complaint
    }

    static func zeroPadded(_ n: Int64, width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
