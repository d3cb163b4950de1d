import PortalModel
import PortalStore

/// Submitting applications: e-domicile (to the district administration of the district the
/// domicile is sought in) and internships (to the posting's department, once per citizen and
/// internship). Like filing a complaint: idempotent per key, one transaction with the first
/// history entry, the citizen's message and the audit entry; watchers are woken after commit.
struct ApplicationFiling: Sendable {
    let core: PortalCore
    /// Domicile certificates are issued by the Deputy Commissioner's office.
    static let domicileDepartment = "DAD"
    static let maxAttachments = 10

    /// What a new application is, once validated.
    struct Draft: Sendable {
        var kind: Portal_V1_ApplicationKind
        var idempotencyKey: String
        var district: Portal_V1_Jurisdiction
        var department: String
        var postingID: Int64?
        var details: Portal_V1_Application
        var attachmentIDs: [String]
        var message: String
    }

    func domicile(_ r: Portal_V1_ApplyForDomicileRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Application {
        let key = try InfoValidation.key(r.idempotencyKey, field: "idempotency_key")
        let district = try core.directory.district(r.districtCode.isEmpty ? citizen.districtCode : r.districtCode, field: "district_code")
        guard let d = r.domicile else { throw .missing("domicile") }
        var v = Portal_V1_DomicileDetails()
        v.applicantName = try PortalValidation.name(d.applicantName, field: "domicile.applicant_name")
        v.fatherName = try PortalValidation.name(d.fatherName, field: "domicile.father_name")
        v.applicantCnic = try PortalValidation.cnic(d.applicantCnic, field: "domicile.applicant_cnic")
        let now = core.now()
        v.dateOfBirth = try Self.dateOfBirth(d.dateOfBirth, field: "domicile.date_of_birth", now: now)
        v.placeOfBirth = try PortalValidation.text(d.placeOfBirth, field: "domicile.place_of_birth", min: 1, max: 100)
        v.permanentAddress = try PortalValidation.text(d.permanentAddress, field: "domicile.permanent_address", min: 10, max: 500)
        v.presentAddress = try PortalValidation.text(d.presentAddress, field: "domicile.present_address", min: 0, max: 500)
        let year = UInt32(CivilDate.year(ofMillis: now))
        guard (1900...year).contains(d.residentSinceYear) else {
            throw .invalidArgument(field: "domicile.resident_since_year", reason: "must be a year from 1900 to \(year)")
        }
        v.residentSinceYear = d.residentSinceYear
        guard !r.attachmentIds.isEmpty else { throw .invalidArgument(field: "attachment_ids", reason: "attach the documents (at least the CNIC or B-form)") }
        let attachments = try PortalValidation.attachmentIDs(r.attachmentIds, max: Self.maxAttachments)
        guard core.directory.department(Self.domicileDepartment) != nil else {
            throw .failedPrecondition("domicile applications are not available")
        }
        var details = Portal_V1_Application()
        details.details = .domicile(v)
        return try await submit(Draft(
            kind: .domicile, idempotencyKey: key, district: district, department: Self.domicileDepartment, postingID: nil,
            details: details, attachmentIDs: attachments,
            message: "was received by the Deputy Commissioner's office, \(district.name)"), by: citizen, at: now)
    }

    func internship(_ r: Portal_V1_ApplyForInternshipRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Application {
        let key = try InfoValidation.key(r.idempotencyKey, field: "idempotency_key")
        let postingID = try InfoValidation.id(r.postingId, field: "posting_id")
        var v = Portal_V1_InternshipDetails()
        v.postingId = UInt64(postingID)
        v.qualification = try PortalValidation.text(r.qualification, field: "qualification", min: 1, max: 200)
        v.institution = try PortalValidation.text(r.institution, field: "institution", min: 1, max: 200)
        v.statement = try PortalValidation.text(r.statement, field: "statement", min: 0, max: 2000)
        let attachments = try PortalValidation.attachmentIDs(r.attachmentIds, max: Self.maxAttachments)
        let now = core.now()
        // A retry returns what the first attempt filed, even if the internship closed since.
        if let earlier = try await core.read({ db in
            try db.queryOne("SELECT id FROM applications WHERE citizen_id = ? AND idempotency_key = ?", [citizen.id, key]) { $0.int(0) }
                .flatMap { try ApplicationRecords.load(db, id: $0) }
        }) { return earlier }
        guard let posting = try await core.read({ db in try Postings.load(db, id: postingID, now: now) }), posting.kind == .internship else {
            throw .notFound("internship \(postingID) not found")
        }
        switch posting.status {
        case .open: break
        case .upcoming: throw .failedPrecondition("applications open on \(PakistanTime.format(posting.opensAt?.millisIfValid ?? 0))")
        case .withdrawn: throw .failedPrecondition("the internship was withdrawn")
        default: throw .failedPrecondition("applications closed on \(PakistanTime.format(posting.closesAt?.millisIfValid ?? 0))")
        }
        v.postingTitle = posting.title
        // A district posting is handled there; a division- or province-wide one in the applicant's district.
        let place = core.directory.jurisdiction(posting.jurisdictionCode)
        let district = try core.directory.district(place?.tier == .district ? posting.jurisdictionCode : citizen.districtCode, field: "posting_id")
        var details = Portal_V1_Application()
        details.details = .internship(v)
        let department = core.directory.department(posting.departmentCode)?.name ?? posting.departmentCode
        return try await submit(Draft(
            kind: .internship, idempotencyKey: key, district: district, department: posting.departmentCode, postingID: postingID,
            details: details, attachmentIDs: attachments,
            message: "for \"\(posting.title)\" was received by \(department)"), by: citizen, at: now)
    }

    private func submit(_ draft: Draft, by citizen: Principal.Citizen, at now: Int64) async throws(PortalError) -> Portal_V1_Application {
        let actor = ApplicationRecords.Actor(.citizen(citizen))
        let (application, isNew): (Portal_V1_Application, Bool) = try await core.write { db in
            if let id = try db.queryOne("SELECT id FROM applications WHERE citizen_id = ? AND idempotency_key = ?",
                                        [citizen.id, draft.idempotencyKey], { $0.int(0) }) {
                return (try ApplicationRecords.load(db, id: id)!, false)
            }
            if let postingID = draft.postingID,
               try db.queryOne("SELECT 1 FROM applications WHERE citizen_id = ? AND posting_id = ?", [citizen.id, postingID], { _ in true }) != nil {
                throw PortalError.alreadyExists(field: "posting_id")
            }
            let tracking = try ApplicationRecords.nextTrackingNumber(db, kind: draft.kind, district: draft.district.code, at: now)
            try db.run("""
                INSERT INTO applications (tracking_number, kind, citizen_id, idempotency_key, district_code, division_code, department_code,
                    posting_id, status, details, submitted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, tracking, Int64(draft.kind.rawValue), citizen.id, draft.idempotencyKey, draft.district.code, draft.district.parentCode,
                draft.department, draft.postingID, Int64(Portal_V1_ApplicationStatus.submitted.rawValue), draft.details.serializedBytes(), now, now)
            let id = db.lastInsertRowID
            try ApplicationRecords.takeAttachments(db, draft.attachmentIDs, citizenID: citizen.id, applicationID: id)
            try ApplicationRecords.addEvent(db, applicationID: id, at: now, actor: actor, status: .submitted, remark: "")
            try MessageBox.append(db, citizenID: citizen.id, kind: .applicationStatus, reference: tracking,
                                  text: "Your \(draft.kind.label) \(tracking) \(draft.message). Track it with this number.", at: now)
            try actor.audit(db, at: now, action: "application.submit", target: tracking)
            return (try ApplicationRecords.load(db, id: id)!, true)
        }
        if isNew { core.hub.citizenMessagesChanged([citizen.id]) }
        return application
    }

    /// YYYY-MM-DD, a real date in the past, at most 120 years ago.
    static func dateOfBirth(_ s: String, field: String, now: Int64) throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing(field) }
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, (1...12).contains(m), (1...31).contains(d)
        else { throw .invalidArgument(field: field, reason: "must be a date YYYY-MM-DD") }
        let days = PakistanTime.days(year: y, month: m, day: d)
        let back = PakistanTime.civil(days * Millis.day)
        guard back.year == y, back.month == m, back.day == d else { throw .invalidArgument(field: field, reason: "is not a real date") }
        let today = now / Millis.day
        guard days <= today else { throw .invalidArgument(field: field, reason: "must be in the past") }
        guard days >= today - 120 * 366 else { throw .invalidArgument(field: field, reason: "must be within the last 120 years") }
        return s
    }
}
