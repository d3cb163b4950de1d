import PortalModel
import PortalStore

/// "How do I?" guides: how to obtain a service (birth certificate, domicile, fard, driving
/// licence, …) with steps, offices, fee and documents in English and Urdu. Public to read and
/// search; admins add and change them. A bundled starter set is loaded by the migration that
/// creates the table (GuideSeed). There are tens of guides, not millions: search reads the
/// search texts and ranks in memory.
struct Guides: Sendable {
    let core: PortalCore

    static func load(_ db: Database, code: String) throws -> Portal_V1_Guide? {
        try db.queryOne("SELECT body FROM guides WHERE code = ?", [code]) { try? Portal_V1_Guide(serializedBytes: $0.blob(0)) } ?? nil
    }

    /// Checks every field; the same rules hold for the bundled guides. Without a directory the
    /// department and district codes are taken as they are.
    static func validate(_ g: Portal_V1_Guide, directory: Directory?) throws(PortalError) -> Portal_V1_Guide {
        var v = Portal_V1_Guide()
        v.code = try InfoValidation.slug(g.code, field: "guide.code")
        v.title = try PortalValidation.text(g.title, field: "guide.title", min: 1, max: 200)
        v.titleUrdu = try PortalValidation.text(g.titleUrdu, field: "guide.title_urdu", min: 0, max: 200)
        v.summary = try PortalValidation.text(g.summary, field: "guide.summary", min: 1, max: 1000)
        v.summaryUrdu = try PortalValidation.text(g.summaryUrdu, field: "guide.summary_urdu", min: 0, max: 1000)
        if !g.departmentCode.isEmpty {
            v.departmentCode = try directory.map { d throws(PortalError) in
                try InfoValidation.department(g.departmentCode, field: "guide.department_code", directory: d)
            } ?? g.departmentCode
        }
        guard !g.steps.isEmpty else { throw .missing("guide.steps") }
        v.steps = try InfoValidation.texts(g.steps, field: "guide.steps", max: 30, length: 1000)
        v.stepsUrdu = try InfoValidation.texts(g.stepsUrdu, field: "guide.steps_urdu", max: 30, length: 1000)
        v.requiredDocuments = try InfoValidation.texts(g.requiredDocuments, field: "guide.required_documents", max: 30, length: 300)
        v.requiredDocumentsUrdu = try InfoValidation.texts(g.requiredDocumentsUrdu, field: "guide.required_documents_urdu", max: 30, length: 300)
        guard g.offices.count <= 50 else { throw .invalidArgument(field: "guide.offices", reason: "at most 50 entries") }
        for (i, o) in g.offices.enumerated() {
            var office = Portal_V1_GuideOffice()
            office.name = try PortalValidation.text(o.name, field: "guide.offices[\(i)].name", min: 1, max: 200)
            office.address = try PortalValidation.text(o.address, field: "guide.offices[\(i)].address", min: 0, max: 500)
            if !o.districtCode.isEmpty {
                office.districtCode = try directory.map { d throws(PortalError) in
                    try d.district(o.districtCode, field: "guide.offices[\(i)].district_code").code
                } ?? o.districtCode
            }
            office.hours = try PortalValidation.text(o.hours, field: "guide.offices[\(i)].hours", min: 0, max: 200)
            office.phone = try PortalValidation.text(o.phone, field: "guide.offices[\(i)].phone", min: 0, max: 50)
            v.offices.append(office)
        }
        v.fee = try PortalValidation.text(g.fee, field: "guide.fee", min: 1, max: 500)
        v.feeUrdu = try PortalValidation.text(g.feeUrdu, field: "guide.fee_urdu", min: 0, max: 500)
        v.processingTime = try PortalValidation.text(g.processingTime, field: "guide.processing_time", min: 0, max: 200)
        v.processingTimeUrdu = try PortalValidation.text(g.processingTimeUrdu, field: "guide.processing_time_urdu", min: 0, max: 200)
        v.keywords = try InfoValidation.texts(g.keywords, field: "guide.keywords", max: 30, length: 50)
        v.onlineService = try PortalValidation.text(g.onlineService, field: "guide.online_service", min: 0, max: 100)
        return v
    }

    /// Lower-cased titles, summaries, keywords and code: what search matches against.
    static func searchText(_ g: Portal_V1_Guide) -> String {
        ([g.code.replacingDashes, g.title, g.titleUrdu, g.summary, g.summaryUrdu] + g.keywords + g.requiredDocuments)
            .joined(separator: "\n").lowercased()
    }

    /// Inserts or replaces a validated guide inside the caller's transaction.
    static func save(_ db: Database, _ g: Portal_V1_Guide, at now: Int64) throws {
        var stored = g
        stored.updatedAt = .init(millis: now)
        try db.run("""
            INSERT INTO guides (code, department_code, title, search_text, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (code) DO UPDATE SET department_code = excluded.department_code, title = excluded.title,
                search_text = excluded.search_text, body = excluded.body, updated_at = excluded.updated_at
            """, g.code, g.departmentCode, g.title, searchText(g), stored.serializedBytes(), now)
    }

    func upsert(_ r: Portal_V1_UpsertGuideRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Guide {
        guard let g = r.guide else { throw .missing("guide") }
        let guide = try Self.validate(g, directory: core.directory)
        let now = core.now(), actor = Principal.staff(staff)
        return try await core.write { db in
            try Self.save(db, guide, at: now)
            try AuditLog.append(db, at: now, actor: actor, action: "guide.upsert", target: "guide:\(guide.code)")
            return try Self.load(db, code: guide.code)!
        }
    }

    func get(_ r: Portal_V1_GetGuideRequest) async throws(PortalError) -> Portal_V1_Guide {
        let code = try InfoValidation.slug(r.code, field: "code")
        guard let g = try await core.read({ db in try Self.load(db, code: code) }) else { throw .notFound("guide \(code) not found") }
        return g
    }

    /// Every word of the query must occur; guides whose title holds them all come first, then
    /// by title. The page token is the offset of the next result.
    func search(_ r: Portal_V1_SearchGuidesRequest) async throws(PortalError) -> Portal_V1_SearchGuidesResponse {
        let query = try PortalValidation.text(r.query, field: "query", min: 0, max: 200).lowercased()
        let words = query.split(whereSeparator: { $0.isWhitespace || $0 == "-" || $0 == "," }).map(String.init)
        guard words.count <= 10 else { throw .invalidArgument(field: "query", reason: "at most 10 words") }
        let department = r.departmentCode.isEmpty ? nil
            : try InfoValidation.department(r.departmentCode, field: "department_code", directory: core.directory)
        let size = try InfoPaging.size(r.page)
        let offset = Int(try InfoPaging.token(r.page, count: 1)?.first ?? 0)
        let candidates = try await core.read { db in
            try db.query("SELECT code, department_code, title, search_text FROM guides ORDER BY title, code", []) {
                (code: $0.text(0), department: $0.text(1), title: $0.text(2).lowercased(), text: $0.text(3))
            }
        }
        let matches = candidates
            .filter { c in (department == nil || c.department == department) && words.allSatisfy { c.text.contains($0) } }
            .enumerated()
            .sorted { a, b in
                let ta = words.allSatisfy { a.element.title.contains($0) }, tb = words.allSatisfy { b.element.title.contains($0) }
                return ta != tb ? ta : a.offset < b.offset
            }
            .map(\.element.code)
        let page = Array(matches.dropFirst(offset).prefix(size))
        let guides = try await core.read { db in try page.compactMap { try Self.load(db, code: $0) } }
        var response = Portal_V1_SearchGuidesResponse()
        response.guides = guides
        response.page = InfoPaging.info(next: offset + size < matches.count ? InfoPaging.token(Int64(offset + size)) : nil, total: Int64(matches.count))
        return response
    }
}

extension String {
    var replacingDashes: String { String(map { $0 == "-" ? " " : $0 }) }
}
