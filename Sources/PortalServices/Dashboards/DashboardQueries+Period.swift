import PortalModel
import PortalStore

/// Figures for the complaints filed within a period, from the counters by filing day that
/// `0007_daily_statistics` keeps: a 30-day province dashboard reads a few thousand counter
/// rows, not the hundred thousand complaints filed in those days. Periods are whole days in
/// Pakistan Standard Time (`DayRange`); the response reports the days it counted.
extension DashboardQueries {
    /// Whole PKT days: `from` rounded down to the start of its day, `to` up to the end of its
    /// day (an end exactly at midnight stays there).
    struct DayRange: Sendable, Equatable {
        /// First day counted, or nil for no lower bound.
        var first: Int64?
        /// The day after the last one counted, or nil for no upper bound.
        var end: Int64?

        static let offset = PortalMigrations.pktDayOffsetMillis

        init(from: Int64?, to: Int64?) {
            first = from.map { Self.floorDiv($0 + Self.offset, Millis.day) }
            end = to.map { -Self.floorDiv(-($0 + Self.offset), Millis.day) }
        }

        var startMillis: Int64? { first.map { $0 * Millis.day - Self.offset } }
        var endMillis: Int64? { end.map { $0 * Millis.day - Self.offset } }

        /// `AND day >= ? AND day < ?` for the bounds present, with their values.
        func clause(_ column: String) -> (String, [SQLValue]) {
            var sql = "", values: [SQLValue] = []
            if let first { sql += " AND \(column) >= ?"; values.append(.integer(first)) }
            if let end { sql += " AND \(column) < ?"; values.append(.integer(end)) }
            return (sql, values)
        }

        static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
            let q = a / b
            return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
        }
    }

    static func period(_ db: Database, _ scope: Scope, _ days: DayRange, wholeJurisdiction: Bool, into d: inout Portal_V1_Dashboard) throws -> Tally {
        let (inDistricts, districtValues) = scope.districtIn("district_code")
        let (dayClause, dayValues) = days.clause("day")

        var citizenSQL = "SELECT count(*) FROM citizens WHERE verified = 1 AND \(inDistricts)"
        var citizenValues = districtValues
        if let start = days.startMillis { citizenSQL += " AND created_at >= ?"; citizenValues.append(.integer(start)) }
        if let end = days.endMillis { citizenSQL += " AND created_at < ?"; citizenValues.append(.integer(end)) }
        d.citizensRegistered = UInt64(try db.queryOne(citizenSQL, citizenValues) { $0.int(0) } ?? 0)

        var tally = Tally()
        if wholeJurisdiction {
            // Every district: the by-district and by-category sums, never a district × category row.
            try db.forEachRow("""
                SELECT district_code, status, tier, reopened, sum(n) FROM complaint_days_by_district
                WHERE n > 0\(dayClause) GROUP BY 1, 2, 3, 4
                """, dayValues) { r in
                tally.add(district: r.text(0), category: nil, status: r.int(1), tier: r.int(2), reopened: r.int(3) != 0, UInt64(r.int(4)))
            }
            try db.forEachRow("SELECT category_code, status, sum(n) FROM complaint_days_by_category WHERE n > 0\(dayClause) GROUP BY 1, 2", dayValues) { r in
                tally.addCategory(r.text(0), status: r.int(1), UInt64(r.int(2)))
            }
            d.medianResolutionHours = try medianFromHistogram(db, "SELECT hours, sum(n) FROM resolution_days_all WHERE n > 0\(dayClause) GROUP BY 1 ORDER BY 1", dayValues)
        } else {
            try db.forEachRow("""
                SELECT district_code, category_code, status, tier, reopened, sum(n) FROM complaint_days
                WHERE \(inDistricts)\(dayClause) AND n > 0 GROUP BY 1, 2, 3, 4, 5
                """, districtValues + dayValues) { r in
                tally.add(district: r.text(0), category: r.text(1), status: r.int(2), tier: r.int(3), reopened: r.int(4) != 0, UInt64(r.int(5)))
            }
            d.medianResolutionHours = try medianFromHistogram(db, """
                SELECT hours, sum(n) FROM resolution_days WHERE \(inDistricts)\(dayClause) AND n > 0 GROUP BY 1 ORDER BY 1
                """, districtValues + dayValues)
        }
        let (given, satisfied) = try db.queryOne("""
            SELECT coalesce(sum(given), 0), coalesce(sum(satisfied), 0) FROM feedback_days WHERE \(inDistricts)\(dayClause)
            """, districtValues + dayValues) { (UInt64($0.int(0)), UInt64($0.int(1))) } ?? (0, 0)
        d.feedbackGiven = given
        d.satisfiedPercent = given == 0 ? 0 : Double(satisfied) * 100 / Double(given)
        return tally
    }
}
