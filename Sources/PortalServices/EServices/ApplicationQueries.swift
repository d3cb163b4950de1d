import PortalModel
import PortalStore

/// Application lists: a citizen's own, an officer's jurisdiction (newest first, keyset on id,
/// without details, attachments or history), and a department back end's sync feed (oldest
/// first after an id, complete).
struct ApplicationQueries: Sendable {
    let core: PortalCore

    private func statuses(_ s: [Portal_V1_ApplicationStatus], into clauses: inout [String], _ values: inout [SQLValue]) throws(PortalError) {
        guard !s.isEmpty else { return }
        guard s.count <= 6 else { throw .invalidArgument(field: "statuses", reason: "at most 6") }
        for st in s where !(1...6).contains(st.rawValue) { throw .invalidArgument(field: "statuses", reason: "contains an unknown status") }
        clauses.append("a.status IN (\(InfoValidation.placeholders(s.count)))")
        values += s.map { .integer(Int64($0.rawValue)) }
    }

    private func run(_ clauses: [String], _ values: [SQLValue], page: Portal_V1_PageRequest?) async throws(PortalError) -> Portal_V1_ListApplicationsResponse {
        let size = try InfoPaging.size(page)
        let before = try InfoPaging.token(page, count: 1)?.first
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let (rows, total) = try await core.read { db in
            let total = try db.queryOne("SELECT count(*) FROM applications a \(filter)", values) { $0.int(0) } ?? 0
            var pageClauses = clauses, pageValues = values
            if let before { pageClauses.append("a.id < ?"); pageValues.append(.integer(before)) }
            let rows = try db.query("SELECT \(ApplicationRecords.columns) FROM applications a WHERE \(pageClauses.isEmpty ? "1" : pageClauses.joined(separator: " AND ")) ORDER BY a.id DESC LIMIT ?",
                                    pageValues + [.integer(Int64(size + 1))], ApplicationRecords.row)
            return (rows, total)
        }
        var response = Portal_V1_ListApplicationsResponse()
        response.applications = rows.prefix(size).map { a in
            var a = a
            a.details = nil
            return a
        }
        response.page = InfoPaging.info(next: rows.count > size ? InfoPaging.token(Int64(rows[size - 1].id)) : nil, total: total)
        return response
    }

    func mine(_ r: Portal_V1_ListMyApplicationsRequest, citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_ListApplicationsResponse {
        var clauses = ["a.citizen_id = ?"], values: [SQLValue] = [.integer(citizen.id)]
        try statuses(r.statuses, into: &clauses, &values)
        return try await run(clauses, values, page: r.page)
    }

    /// Department officers: their department in their district. Heads: their jurisdiction, or
    /// a district or division inside it.
    func officer(_ r: Portal_V1_ListApplicationsRequest, staff: Principal.Staff) async throws(PortalError) -> Portal_V1_ListApplicationsResponse {
        var clauses: [String] = [], values: [SQLValue] = []
        if staff.role == .departmentOfficer {
            guard r.scopeCode.isEmpty || r.scopeCode == staff.jurisdictionCode else { throw .permissionDenied("scope_code is outside your jurisdiction") }
            clauses = ["a.district_code = ?", "a.department_code = ?"]
            values = [.text(staff.jurisdictionCode), .text(staff.departmentCode)]
        } else {
            let scope = r.scopeCode.isEmpty ? staff.jurisdictionCode : r.scopeCode
            guard let j = core.directory.jurisdiction(scope) else { throw .invalidArgument(field: "scope_code", reason: "is not a known jurisdiction") }
            guard core.directory.contains(staff.jurisdictionCode, scope) else { throw .permissionDenied("scope_code is outside your jurisdiction") }
            switch j.tier {
            case .district: clauses.append("a.district_code = ?"); values.append(.text(scope))
            case .division: clauses.append("a.division_code = ?"); values.append(.text(scope))
            default: break
            }
        }
        guard (0...2).contains(r.kind.rawValue) else { throw .invalidArgument(field: "kind", reason: "is not a known kind") }
        if r.kind != .unspecified { clauses.append("a.kind = ?"); values.append(.integer(Int64(r.kind.rawValue))) }
        try statuses(r.statuses, into: &clauses, &values)
        return try await run(clauses, values, page: r.page)
    }

    func department(_ r: Portal_V1_ListDepartmentApplicationsRequest, client: IntegrationClients.Caller) async throws(PortalError) -> Portal_V1_ListApplicationsResponse {
        guard r.limit <= 500 else { throw .invalidArgument(field: "limit", reason: "at most 500") }
        guard r.afterId <= UInt64(Int64.max) else { throw .invalidArgument(field: "after_id", reason: "is out of range") }
        let limit = r.limit == 0 ? 100 : Int(r.limit), after = Int64(r.afterId), department = client.departmentCode
        var response = Portal_V1_ListApplicationsResponse()
        response.applications = try await core.read { db in
            var rows = try db.query("SELECT \(ApplicationRecords.columns) FROM applications a WHERE a.department_code = ? AND a.id > ? ORDER BY a.id LIMIT ?",
                                    [department, after, Int64(limit)], ApplicationRecords.row)
            for i in rows.indices { try ApplicationRecords.complete(db, &rows[i]) }
            return rows
        }
        if let last = response.applications.last, response.applications.count == limit {
            response.page = InfoPaging.info(next: String(last.id), total: 0)
        }
        return response
    }

    /// One application with everything: the citizen's own, or one an officer may handle.
    func get(_ r: Portal_V1_GetApplicationRequest, for who: Principal) async throws(PortalError) -> Portal_V1_Application {
        let tracking = try ApplicationRecords.trackingNumber(r.trackingNumber)
        guard let a = try await core.read({ db in try ApplicationRecords.load(db, tracking: tracking) }) else {
            throw .notFound("application \(tracking) not found")
        }
        switch who {
        case .citizen(let c):
            guard a.citizenId == String(c.id) else { throw .permissionDenied("application \(tracking) is not yours") }
        case .staff(let s):
            guard ApplicationAccess(directory: core.directory).canHandle(s, a) else {
                throw .permissionDenied("application \(tracking) is outside your jurisdiction")
            }
        }
        return a
    }
}
