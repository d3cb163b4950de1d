import PortalModel
import PortalStore

/// All-time figures from the counters the `0004_statistics` triggers keep: a few thousand
/// rows whatever the number of complaints.
extension DashboardQueries {
    static func allTime(_ db: Database, _ scope: Scope, into d: inout Portal_V1_Dashboard) throws -> Tally {
        let (inDistricts, values) = scope.districtIn("district_code")
        var tally = Tally()
        try db.forEachRow(
            "SELECT district_code, category_code, status, tier, reopened, n FROM complaint_stats WHERE \(inDistricts) AND n > 0", values) { r in
            tally.add(district: r.text(0), category: r.text(1), status: r.int(2), tier: r.int(3), reopened: r.int(4) != 0, UInt64(r.int(5)))
        }
        d.citizensRegistered = UInt64(try db.queryOne("SELECT coalesce(sum(n), 0) FROM citizen_stats WHERE \(inDistricts)", values) { $0.int(0) } ?? 0)
        let (given, satisfied) = try db.queryOne("SELECT coalesce(sum(given), 0), coalesce(sum(satisfied), 0) FROM feedback_stats WHERE \(inDistricts)",
                                                 values) { (UInt64($0.int(0)), UInt64($0.int(1))) } ?? (0, 0)
        d.feedbackGiven = given
        d.satisfiedPercent = given == 0 ? 0 : Double(satisfied) * 100 / Double(given)
        d.medianResolutionHours = try medianFromHistogram(db, "SELECT hours, sum(n) FROM resolution_hours WHERE \(inDistricts) GROUP BY hours ORDER BY hours", values)
        return tally
    }

    /// The median of an hour histogram `(hours, n)` in ascending hours (whole hours; the
    /// middle bucket's value).
    static func medianFromHistogram(_ db: Database, _ sql: String, _ values: [SQLValue]) throws -> Double {
        median(of: try db.query(sql, values) { ($0.int(0), $0.int(1)) })
    }

    static func median(of buckets: [(hours: Int64, n: Int64)]) -> Double {
        let total = buckets.reduce(0) { $0 + $1.n }
        guard total > 0 else { return 0 }
        func value(at rank: Int64) -> Int64 {
            var seen: Int64 = 0
            for (hours, n) in buckets {
                seen += n
                if seen > rank { return hours }
            }
            return buckets.last!.hours
        }
        let lower = value(at: (total - 1) / 2), upper = value(at: total / 2)
        return Double(lower + upper) / 2
    }
}
