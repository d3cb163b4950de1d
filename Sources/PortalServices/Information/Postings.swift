import PortalModel
import PortalStore

/// Government jobs, tenders and internships: published by the heads of a jurisdiction for a
/// department, open from `opens_at` until `closes_at`, withdrawable. The published text is
/// stored as the Posting message; kind, place, department and dates are columns for filtering.
struct Postings: Sendable {
    let core: PortalCore
    var access: InfoAccess { InfoAccess(directory: core.directory) }

    static let columns = "id, body, opens_at, closes_at, withdrawn_at"

    static func row(_ r: borrowing Row, now: Int64) -> Portal_V1_Posting {
        var p = (try? Portal_V1_Posting(serializedBytes: r.blob(1))) ?? Portal_V1_Posting()
        p.id = UInt64(r.int(0))
        let opens = r.int(2), closes = r.int(3)
        p.status = r.optionalInt(4) != nil ? .withdrawn : now < opens ? .upcoming : now < closes ? .open : .closed
        return p
    }

    static func load(_ db: Database, id: Int64, now: Int64) throws -> Portal_V1_Posting? {
        try db.queryOne("SELECT \(columns) FROM postings WHERE id = ?", [id]) { row($0, now: now) }
    }

    func publish(_ r: Portal_V1_PublishPostingRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Posting {
        guard (1...3).contains(r.kind.rawValue) else {
            throw r.kind == .unspecified ? .missing("kind") : .invalidArgument(field: "kind", reason: "must be job, tender or internship")
        }
        var p = Portal_V1_Posting()
        p.kind = r.kind
        p.title = try PortalValidation.text(r.title, field: "title", min: 1, max: 200)
        p.titleUrdu = try PortalValidation.text(r.titleUrdu, field: "title_urdu", min: 0, max: 200)
        p.departmentCode = try InfoValidation.department(r.departmentCode, field: "department_code", directory: core.directory)
        p.jurisdictionCode = try access.publishScope(staff, r.jurisdictionCode, field: "jurisdiction_code").code
        p.referenceNumber = try PortalValidation.text(r.referenceNumber, field: "reference_number", min: 0, max: 64)
        p.description_p = try PortalValidation.text(r.description_p, field: "description", min: 1, max: 5000)
        p.eligibility = try PortalValidation.text(r.eligibility, field: "eligibility", min: 0, max: 2000)
        p.requiredDocuments = try InfoValidation.texts(r.requiredDocuments, field: "required_documents", max: 20, length: 200)
        p.howToApply = try PortalValidation.text(r.howToApply, field: "how_to_apply", min: 0, max: 2000)
        guard r.positions <= 100_000 else { throw .invalidArgument(field: "positions", reason: "at most 100000") }
        p.positions = r.positions
        let now = core.now()
        let opens = max(try InfoValidation.optionalTime(r.opensAt, field: "opens_at") ?? now, now)
        guard opens <= now + 365 * Millis.day else { throw .invalidArgument(field: "opens_at", reason: "must be at most 365 days ahead") }
        let closes = try InfoValidation.time(r.closesAt, field: "closes_at")
        guard closes > now else { throw .invalidArgument(field: "closes_at", reason: "must be in the future") }
        guard closes > opens else { throw .invalidArgument(field: "closes_at", reason: "must be after opens_at") }
        guard closes <= now + 730 * Millis.day else { throw .invalidArgument(field: "closes_at", reason: "must be at most 2 years ahead") }
        p.opensAt = .init(millis: opens)
        p.closesAt = .init(millis: closes)
        p.publishedAt = .init(millis: now)
        p.publisherRole = staff.role
        p.publisherName = access.office(of: staff)
        let posting = p, actor = Principal.staff(staff)
        return try await core.write { db in
            try db.run("""
                INSERT INTO postings (kind, department_code, jurisdiction_code, opens_at, closes_at, published_at, publisher_id, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, Int64(posting.kind.rawValue), posting.departmentCode, posting.jurisdictionCode, opens, closes, now, staff.id,
                posting.serializedBytes())
            let id = db.lastInsertRowID
            try AuditLog.append(db, at: now, actor: actor, action: "posting.publish", target: "posting:\(id)",
                                detail: "kind=\(posting.kind.rawValue) department=\(posting.departmentCode) jurisdiction=\(posting.jurisdictionCode)")
            return try Self.load(db, id: id, now: now)!
        }
    }

    func withdraw(_ r: Portal_V1_WithdrawPostingRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Posting {
        let id = try InfoValidation.id(r.id, field: "id")
        let reason = try PortalValidation.text(r.reason, field: "reason", min: 1, max: 500)
        let access = self.access, actor = Principal.staff(staff), now = core.now()
        return try await core.write { db in
            guard var p = try Self.load(db, id: id, now: now) else { throw PortalError.notFound("posting \(id) not found") }
            guard access.canPublish(staff, for: p.jurisdictionCode) else { throw PortalError.permissionDenied("the posting is outside your jurisdiction") }
            guard p.status != .withdrawn else { throw PortalError.failedPrecondition("the posting is already withdrawn") }
            p.withdrawalReason = reason
            var body = p
            body.id = 0
            body.status = .unspecified
            try db.run("UPDATE postings SET withdrawn_at = ?, body = ? WHERE id = ?", now, body.serializedBytes(), id)
            try AuditLog.append(db, at: now, actor: actor, action: "posting.withdraw", target: "posting:\(id)")
            return try Self.load(db, id: id, now: now)!
        }
    }

    /// Public. Withdrawn postings are left out; `district_code` lists the district's postings
    /// and those of its division and province. Newest first, keyset on id.
    func list(_ r: Portal_V1_ListPostingsRequest) async throws(PortalError) -> Portal_V1_ListPostingsResponse {
        guard (0...3).contains(r.kind.rawValue) else { throw .invalidArgument(field: "kind", reason: "is not a known kind") }
        let size = try InfoPaging.size(r.page)
        let before = try InfoPaging.token(r.page, count: 1)?.first
        let now = core.now()
        var clauses = ["withdrawn_at IS NULL"], values: [SQLValue] = []
        if r.kind != .unspecified { clauses.append("kind = ?"); values.append(.integer(Int64(r.kind.rawValue))) }
        if !r.districtCode.isEmpty {
            let district = try core.directory.district(r.districtCode, field: "district_code")
            let reach = access.reach(of: district.code)
            clauses.append("jurisdiction_code IN (\(InfoValidation.placeholders(reach.count)))")
            values += reach.map { .text($0) }
        }
        if !r.departmentCode.isEmpty {
            clauses.append("department_code = ?")
            values.append(.text(try InfoValidation.department(r.departmentCode, field: "department_code", directory: core.directory)))
        }
        if r.openOnly { clauses.append("opens_at <= ? AND closes_at > ?"); values += [.integer(now), .integer(now)] }
        let filter = clauses.joined(separator: " AND "), bound = values
        let (rows, total) = try await core.read { db in
            let total = try db.queryOne("SELECT count(*) FROM postings WHERE \(filter)", bound) { $0.int(0) } ?? 0
            let page = before.map { (filter + " AND id < ?", bound + [.integer($0)]) } ?? (filter, bound)
            let rows = try db.query("SELECT \(Self.columns) FROM postings WHERE \(page.0) ORDER BY id DESC LIMIT ?",
                                    page.1 + [.integer(Int64(size + 1))]) { Self.row($0, now: now) }
            return (rows, total)
        }
        var response = Portal_V1_ListPostingsResponse()
        response.postings = Array(rows.prefix(size))
        response.page = InfoPaging.info(next: rows.count > size ? InfoPaging.token(Int64(rows[size - 1].id)) : nil, total: total)
        return response
    }

    func get(_ r: Portal_V1_GetPostingRequest) async throws(PortalError) -> Portal_V1_Posting {
        let id = try InfoValidation.id(r.id, field: "id")
        let now = core.now()
        guard let p = try await core.read({ db in try Self.load(db, id: id, now: now) }) else { throw .notFound("posting \(id) not found") }
        return p
    }
}
