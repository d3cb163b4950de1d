import PortalModel
import PortalStore

/// The figures behind every tier's dashboard and the public statistics, computed in one read
/// transaction (a consistent snapshot). All-time figures come from the trigger-maintained
/// counters (`+Totals`); a bounded period is counted exactly from the complaint indexes
/// (`+Period`). Overdue counts and per-officer figures are shared by both.
struct DashboardQueries: Sendable {
    let core: PortalCore

    struct Scope: Sendable {
        var jurisdiction: Portal_V1_Jurisdiction
        var districts: [String]
        /// SQL restricting `c` (complaints) to the scope, with its values.
        var clause: String
        var values: [SQLValue]

        /// `column IN (?, ?, …)` over the scope's districts, with its values.
        func districtIn(_ column: String) -> (String, [SQLValue]) {
            (districts.isEmpty ? "0" : "\(column) IN (\(districts.map { _ in "?" }.joined(separator: ", ")))", districts.map { .text($0) })
        }
    }

    func scope(_ code: String) throws(PortalError) -> Scope {
        guard let j = core.directory.jurisdiction(code) else { throw .invalidArgument(field: "scope_code", reason: "is not a known jurisdiction") }
        var s = Scope(jurisdiction: j, districts: core.directory.districts(within: code), clause: "", values: [])
        switch j.tier {
        case .district: (s.clause, s.values) = ("c.district_code = ?", [.text(code)])
        case .division: (s.clause, s.values) = ("c.division_code = ?", [.text(code)])
        default: (s.clause, s.values) = s.districtIn("c.district_code")
        }
        return s
    }

    /// Counts accumulated by district and category, whichever path produced them.
    struct Tally {
        var totals = Portal_V1_StatusCounts()
        var byDistrict: [String: Portal_V1_StatusCounts] = [:]
        var byCategory: [String: Portal_V1_StatusCounts] = [:]

        mutating func add(district: String, category: String, status: Int64, _ n: UInt64) {
            byDistrict[district, default: .init()].add(status: status, n)
            byCategory[category, default: .init()].add(status: status, n)
            totals.add(status: status, n)
        }
    }

    func dashboard(_ scope: Scope, from: Int64?, to: Int64?, includeOfficers: Bool) async throws(PortalError) -> Portal_V1_Dashboard {
        let now = core.now()
        let overdueCutoff = now - Int64(core.escalationPolicy.divisionAfterDays) * Millis.day
        let directory = core.directory.snapshot
        return try await core.read { db in
            var d = Portal_V1_Dashboard()
            d.scopeCode = scope.jurisdiction.code
            d.scopeTier = scope.jurisdiction.tier
            if let from { d.periodStart = .init(millis: from) }
            if let to { d.periodEnd = .init(millis: to) }
            d.computedAt = .init(millis: now)

            let tally: Tally
            if from == nil && to == nil {
                tally = try Self.allTime(db, scope, into: &d)
            } else {
                tally = try Self.period(db, scope, from: from, to: to, into: &d)
            }
            d.complaints = tally.totals

            var overdue: [String: UInt64] = [:]
            // The partial indexes of unresolved complaints by scope and clock (migration 0006)
            // read just the scope's overdue rows.
            for (district, n) in try db.query(
                "SELECT c.district_code, count(*) FROM complaints c WHERE c.status IN (1, 2, 3, 6) AND c.clock_started_at <= ? AND \(scope.clause) GROUP BY 1",
                [.integer(overdueCutoff)] + scope.values, { ($0.text(0), UInt64($0.int(1))) }) {
                overdue[district] = n
                d.overdue += n
            }
            d.byDistrict = tally.byDistrict.keys.sorted().map { code in
                var dc = Portal_V1_DistrictCount()
                dc.districtCode = code
                dc.districtName = directory.jurisdictions[code]?.name ?? code
                dc.counts = tally.byDistrict[code]!
                dc.overdue = overdue[code] ?? 0
                return dc
            }
            d.byCategory = tally.byCategory.keys.sorted().map { code in
                var cc = Portal_V1_CategoryCount()
                cc.categoryCode = code
                cc.categoryName = directory.categories[code]?.name ?? code
                cc.counts = tally.byCategory[code]!
                return cc
            }
            if includeOfficers && scope.jurisdiction.tier == .district {
                d.byOfficer = try Self.officers(db, scope, from: from, to: to)
            }
            return d
        }
    }

    /// Per-officer figures of a district: assigned, resolved, median hours to resolve. Starts
    /// from the district's officers and their assignments (by the staff index), never from the
    /// district's complaints. (Transfers drop assignees, so an officer's assignments are all in
    /// his district.)
    static func officers(_ db: Database, _ scope: Scope, from: Int64?, to: Int64?) throws -> [Portal_V1_OfficerFigures] {
        var clause = "s.role = 2 AND s.jurisdiction_code = ?"
        var values: [SQLValue] = [.text(scope.jurisdiction.code)]
        if let from { clause += " AND c.filed_at >= ?"; values.append(.integer(from)) }
        if let to { clause += " AND c.filed_at < ?"; values.append(.integer(to)) }
        var figures = try db.query("""
            SELECT s.id, s.name, count(*), count(a.resolved_at) FROM staff s
            JOIN complaint_assignees a ON a.staff_id = s.id JOIN complaints c ON c.id = a.complaint_id
            WHERE \(clause) GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 500
            """, values) { r in
            var o = Portal_V1_OfficerFigures()
            o.staffId = String(r.int(0)); o.name = r.text(1); o.assigned = UInt64(r.int(2)); o.resolved = UInt64(r.int(3))
            return o
        }
        for i in figures.indices {
            figures[i].medianResolutionHours = try medianHours(db, """
                SELECT a.resolved_at - a.assigned_at AS v FROM staff s JOIN complaint_assignees a ON a.staff_id = s.id
                JOIN complaints c ON c.id = a.complaint_id
                WHERE \(clause) AND a.staff_id = ? AND a.resolved_at IS NOT NULL
                """, values + [.integer(Int64(figures[i].staffId)!)])
        }
        return figures
    }

    /// The median of `sql`'s single column `v` (milliseconds), in hours.
    static func medianHours(_ db: Database, _ sql: String, _ values: [SQLValue]) throws -> Double {
        let n = try db.queryOne("SELECT count(*) FROM (\(sql))", values) { $0.int(0) } ?? 0
        guard n > 0 else { return 0 }
        let middle = try db.query("SELECT v FROM (\(sql)) ORDER BY v LIMIT ? OFFSET ?", values + [.integer(2 - n % 2), .integer((n - 1) / 2)]) { Double($0.int(0)) }
        return middle.reduce(0, +) / Double(middle.count) / Double(Millis.hour)
    }

    /// Province-wide headline figures for anyone.
    func publicStatistics() async throws(PortalError) -> Portal_V1_PublicStatistics {
        guard let province = core.directory.snapshot.jurisdictions.values.first(where: { $0.tier == .province && $0.parentCode.isEmpty }) else {
            return Portal_V1_PublicStatistics()
        }
        let d = try await dashboard(try scope(province.code), from: nil, to: nil, includeOfficers: false)
        var p = Portal_V1_PublicStatistics()
        let counts = d.complaints ?? .init()
        p.citizensRegistered = d.citizensRegistered
        p.complaintsReceived = counts.total
        p.complaintsResolved = counts.resolved + counts.closed
        p.feedbackGiven = d.feedbackGiven
        p.satisfiedCitizens = UInt64((Double(d.feedbackGiven) * d.satisfiedPercent / 100).rounded())
        p.byDistrict = d.byDistrict
        p.computedAt = d.computedAt
        return p
    }
}

extension Portal_V1_StatusCounts {
    mutating func add(status: Int64, _ n: UInt64) {
        switch status {
        case 1: new += n
        case 2, 3, 6: pending += n
        case 4: resolved += n
        case 5: closed += n
        case 7: systemic += n
        default: break
        }
        total += n
    }
}
