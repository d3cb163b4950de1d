import PortalModel
import PortalStore

/// The figures behind every tier's dashboard and the public statistics, computed in one read
/// transaction (a consistent snapshot) from counters that triggers keep: all-time figures from
/// `0004_statistics` (`+Totals`), a period's from the counters by filing day of
/// `0007_daily_statistics` (`+Period`). Overdue counts and per-officer figures are shared by
/// both. No dashboard reads complaints one by one, except the overdue count's bounded
/// window of recent unresolved ones.
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
        // A division or the province as its districts: complaints have no division or
        // status-only index any more (migration 0009).
        default: (s.clause, s.values) = s.districtIn("c.district_code")
        }
        return s
    }

    /// Counts accumulated by district and category, whichever counter table produced them.
    struct Tally {
        var totals = Portal_V1_StatusCounts()
        var byDistrict: [String: Portal_V1_StatusCounts] = [:]
        var byCategory: [String: Portal_V1_StatusCounts] = [:]
        var escalatedToDivision: UInt64 = 0, escalatedToProvince: UInt64 = 0
        /// Complaints reopened at least once, and those resolved at least once (reopened, resolved or closed).
        var reopened: UInt64 = 0, everResolved: UInt64 = 0

        /// `n` complaints in one state; a nil category is counted by `addCategory` separately.
        mutating func add(district: String, category: String?, status: Int64, tier: Int64, reopened wasReopened: Bool, _ n: UInt64) {
            byDistrict[district, default: .init()].add(status: status, n)
            if let category { addCategory(category, status: status, n) }
            totals.add(status: status, n)
            if Self.open.contains(status) {
                if tier == 2 { escalatedToDivision += n } else if tier == 3 { escalatedToProvince += n }
            }
            if wasReopened { reopened += n }
            if wasReopened || status == 4 || status == 5 { everResolved += n }
        }

        mutating func addCategory(_ category: String, status: Int64, _ n: UInt64) {
            byCategory[category, default: .init()].add(status: status, n)
        }

        /// New, assigned, information requested, reopened.
        static let open: Set<Int64> = [1, 2, 3, 6]
    }

    func dashboard(_ scope: Scope, from: Int64?, to: Int64?, includeOfficers: Bool) async throws(PortalError) -> Portal_V1_Dashboard {
        let now = core.now()
        let overdueCutoff = now - Int64(core.escalationPolicy.divisionAfterDays) * Millis.day
        let directory = core.directory.snapshot
        let wholeJurisdiction = scope.districts.count == directory.jurisdictions.values.count { $0.tier == .district }
        let days: DayRange? = from == nil && to == nil ? nil : DayRange(from: from, to: to)
        return try await core.read { db in
            var d = Portal_V1_Dashboard()
            d.scopeCode = scope.jurisdiction.code
            d.scopeTier = scope.jurisdiction.tier
            if let start = days?.startMillis { d.periodStart = .init(millis: start) }
            if let end = days?.endMillis { d.periodEnd = .init(millis: end) }
            d.computedAt = .init(millis: now)

            let tally: Tally
            if let days {
                tally = try Self.period(db, scope, days, wholeJurisdiction: wholeJurisdiction, into: &d)
            } else {
                tally = try Self.allTime(db, scope, into: &d)
            }
            d.complaints = tally.totals
            d.escalatedToDivision = tally.escalatedToDivision
            d.escalatedToProvince = tally.escalatedToProvince
            d.reopenPercent = tally.everResolved == 0 ? 0 : Double(tally.reopened) * 100 / Double(tally.everResolved)

            let overdue = try Self.overdue(db, scope, cutoff: overdueCutoff)
            d.overdue = overdue.values.reduce(0, +)
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
                d.byOfficer = try Self.officers(db, scope, days)
            }
            return d
        }
    }

    /// Unresolved complaints whose clock started at or before `cutoff`, by district: the
    /// unresolved total from the counters minus the unresolved complaints started after the
    /// cutoff (the partial indexes of migrations 0006 and 0010). That reads at most the intake
    /// of the last `divisionAfterDays` days, however large the overdue backlog has grown.
    static func overdue(_ db: Database, _ scope: Scope, cutoff: Int64) throws -> [String: UInt64] {
        let (inDistricts, values) = scope.districtIn("district_code")
        var overdue: [String: UInt64] = [:]
        try db.forEachRow("""
            SELECT district_code, sum(n) FROM complaint_stats WHERE \(inDistricts) AND \(OpenComplaints.condition("status")) GROUP BY 1
            """, values) { r in overdue[r.text(0)] = UInt64(max(0, r.int(1))) }
        // A list of districts (a division, the province): without ANALYZE statistics the planner
        // might read every unresolved complaint of each district; the per-district clock index
        // reads only the recent ones.
        let listsDistricts = scope.jurisdiction.tier != .district
        let index = listsDistricts ? "INDEXED BY complaints_open_district_clock " : ""
        let recentSQL = "SELECT c.district_code, count(*) FROM complaints c \(index)WHERE \(OpenComplaints.condition("c.status")) AND \(scope.clause) AND c.clock_started_at > ? GROUP BY 1"
        try db.forEachRow(recentSQL, scope.values + [.integer(cutoff)]) { r in
            let recent = UInt64(r.int(1)), open = overdue[r.text(0)] ?? 0
            overdue[r.text(0)] = open > recent ? open - recent : 0
        }
        return overdue.filter { $0.value > 0 }
    }

    /// Per-officer figures of a district: assigned, resolved, median hours from assignment to
    /// resolution, from the officer counters (`0007_daily_statistics`), by the filing day of
    /// the complaints. Department officers posted in the district who have assignments.
    /// (Transfers drop assignees, so an officer's assignments are all in his district.)
    static func officers(_ db: Database, _ scope: Scope, _ days: DayRange?) throws -> [Portal_V1_OfficerFigures] {
        let (dayClause, dayValues) = days?.clause("o.day") ?? ("", [])
        var figures = try db.query("""
            SELECT s.id, s.name, sum(o.assigned), sum(o.resolved) FROM staff s JOIN officer_days o ON o.staff_id = s.id
            WHERE s.role = 2 AND s.jurisdiction_code = ?\(dayClause)
            GROUP BY s.id HAVING sum(o.assigned) > 0 ORDER BY 3 DESC, s.id LIMIT 500
            """, [.text(scope.jurisdiction.code)] + dayValues) { r in
            var o = Portal_V1_OfficerFigures()
            o.staffId = String(r.int(0)); o.name = r.text(1); o.assigned = UInt64(r.int(2)); o.resolved = UInt64(r.int(3))
            return o
        }
        guard !figures.isEmpty else { return [] }
        let ids = figures.map { SQLValue.integer(Int64($0.staffId)!) }
        let idList = ids.map { _ in "?" }.joined(separator: ", ")
        let histogramSQL = days == nil
            ? "SELECT staff_id, hours, n FROM officer_hours_all o WHERE staff_id IN (\(idList)) AND n > 0 ORDER BY 1, 2"
            : "SELECT staff_id, hours, sum(n) FROM officer_hours o WHERE staff_id IN (\(idList))\(dayClause) AND n > 0 GROUP BY 1, 2 ORDER BY 1, 2"
        var buckets: [Int64: [(hours: Int64, n: Int64)]] = [:]
        try db.forEachRow(histogramSQL, ids + dayValues) { r in buckets[r.int(0), default: []].append((r.int(1), r.int(2))) }
        for i in figures.indices {
            figures[i].medianResolutionHours = median(of: buckets[Int64(figures[i].staffId)!] ?? [])
        }
        return figures
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
