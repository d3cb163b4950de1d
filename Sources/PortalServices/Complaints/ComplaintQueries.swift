import PortalModel
import PortalStore

/// Paged complaint lists: a citizen's own, and an officer's scope with filters. Pages are
/// keyset-paged on the id (newest first), so a page token stays valid while complaints arrive.
struct ComplaintQueries: Sendable {
    let core: PortalCore

    struct Filter: Sendable {
        var clauses: [String] = []
        var values: [SQLValue] = []

        mutating func add(_ clause: String, _ v: [SQLValue] = []) {
            clauses.append(clause)
            values.append(contentsOf: v)
        }

        mutating func statuses(_ s: [Portal_V1_ComplaintStatus]) throws(PortalError) {
            guard !s.isEmpty else { return }
            guard s.count <= 8 else { throw .invalidArgument(field: "statuses", reason: "at most 8") }
            for st in s {
                guard (1...7).contains(st.rawValue) else { throw .invalidArgument(field: "statuses", reason: "contains an unknown status") }
            }
            add("c.status IN (\(s.map { _ in "?" }.joined(separator: ", ")))", s.map { .integer(Int64($0.rawValue)) })
        }

        mutating func within(_ column: String, _ codes: [String]) {
            add("c.\(column) IN (\(codes.map { _ in "?" }.joined(separator: ", ")))", codes.map { .text($0) })
        }

        var whereSQL: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }
    }

    static func page(_ p: Portal_V1_PageRequest) throws(PortalError) -> (size: Int, before: Int64?) {
        let size = p.pageSize == 0 ? 50 : Int(p.pageSize)
        guard size <= 500 else { throw .invalidArgument(field: "page.page_size", reason: "at most 500") }
        guard !p.pageToken.isEmpty else { return (size, nil) }
        guard let before = Int64(p.pageToken), before > 0 else {
            throw .invalidArgument(field: "page.page_token", reason: "is not a token from a previous page")
        }
        return (size, before)
    }

    func run(_ filter: Filter, page: Portal_V1_PageRequest) async throws(PortalError) -> Portal_V1_ListComplaintsResponse {
        let (size, before) = try Self.page(page)
        return try await core.read { db in
            let total = try db.queryOne("SELECT count(*) FROM complaints c \(filter.whereSQL)", filter.values) { $0.int(0) } ?? 0
            var f = filter
            if let before { f.add("c.id < ?", [.integer(before)]) }
            var rows = try db.query("SELECT \(ComplaintRecords.columns) FROM complaints c \(f.whereSQL) ORDER BY c.id DESC LIMIT ?",
                                    f.values + [.integer(Int64(size + 1))], ComplaintRecords.row)
            var response = Portal_V1_ListComplaintsResponse()
            var info = Portal_V1_PageInfo()
            if rows.count > size {
                rows.removeLast()
                info.nextPageToken = String(rows.last!.id)
            }
            for i in rows.indices { try ComplaintRecords.complete(db, &rows[i], timeline: false) }
            response.complaints = rows
            info.totalCount = UInt64(total)
            response.page = info
            return response
        }
    }

    func mine(_ r: Portal_V1_ListMyComplaintsRequest, citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_ListComplaintsResponse {
        var f = Filter()
        f.add("c.citizen_id = ?", [.integer(citizen.id)])
        try f.statuses(r.statuses)
        return try await run(f, page: r.page ?? .init())
    }

    func officer(_ r: Portal_V1_ListComplaintsRequest, staff: Principal.Staff) async throws(PortalError) -> Portal_V1_ListComplaintsResponse {
        let access = ComplaintAccess(directory: core.directory)
        var f = Filter()
        switch staff.role {
        case .departmentOfficer:
            guard r.scopeCode.isEmpty || r.scopeCode == staff.jurisdictionCode else {
                throw .permissionDenied("scope_code is outside your jurisdiction")
            }
            f.add("c.id IN (SELECT complaint_id FROM complaint_assignees WHERE staff_id = ?)", [.integer(staff.id)])
        case .deputyCommissioner, .commissioner, .chiefSecretary:
            let scope = r.scopeCode.isEmpty ? staff.jurisdictionCode : r.scopeCode
            guard core.directory.jurisdiction(scope) != nil else { throw .invalidArgument(field: "scope_code", reason: "is not a known jurisdiction") }
            guard access.scopeAllowed(staff, scope) else { throw .permissionDenied("scope_code is outside your jurisdiction") }
            if core.directory.jurisdiction(scope)!.tier == .district {
                f.add("c.district_code = ?", [.text(scope)])
            } else {
                // A division or the province as its districts, so that the district index serves
                // the count and the page (complaints have no division or status-only index any
                // more, migration 0009). The province lists its districts too: with a status
                // filter that is one short range per district instead of a scan.
                f.within("district_code", core.directory.districts(within: scope).sorted())
            }
        default:
            throw .permissionDenied("your role does not handle complaints")
        }
        try f.statuses(r.statuses)
        if !r.categoryCode.isEmpty {
            guard core.directory.category(r.categoryCode) != nil else { throw .invalidArgument(field: "category_code", reason: "is not a known category") }
            f.add("c.category_code = ?", [.text(r.categoryCode)])
        }
        if r.tier != .unspecified {
            guard (1...3).contains(r.tier.rawValue) else { throw .invalidArgument(field: "tier", reason: "is not a known tier") }
            f.add("c.tier = ?", [.integer(Int64(r.tier.rawValue))])
        }
        if r.overdueOnly {
            let cutoff = core.now() - Int64(core.escalationPolicy.divisionAfterDays) * Millis.day
            f.add("\(OpenComplaints.condition("c.status")) AND c.clock_started_at <= ?", [.integer(cutoff)])
        }
        return try await run(f, page: r.page ?? .init())
    }
}
