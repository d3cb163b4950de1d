import PortalModel
import PortalStore

/// Figures for complaints filed within a period, counted exactly from the complaint indexes
/// (a bounded period touches only its own complaints).
extension DashboardQueries {
    static func period(_ db: Database, _ scope: Scope, from: Int64?, to: Int64?, into d: inout Portal_V1_Dashboard) throws -> Tally {
        var clause = scope.clause
        var values = scope.values
        if let from { clause += " AND c.filed_at >= ?"; values.append(.integer(from)) }
        if let to { clause += " AND c.filed_at < ?"; values.append(.integer(to)) }

        let (inDistricts, districtValues) = scope.districtIn("district_code")
        var citizenSQL = "SELECT count(*) FROM citizens WHERE verified = 1 AND \(inDistricts)"
        var citizenValues = districtValues
        if let from { citizenSQL += " AND created_at >= ?"; citizenValues.append(.integer(from)) }
        if let to { citizenSQL += " AND created_at < ?"; citizenValues.append(.integer(to)) }
        d.citizensRegistered = UInt64(try db.queryOne(citizenSQL, citizenValues) { $0.int(0) } ?? 0)

        var tally = Tally()
        for (district, category, status, n) in try db.query(
            "SELECT c.district_code, c.category_code, c.status, count(*) FROM complaints c WHERE \(clause) GROUP BY 1, 2, 3",
            values, { ($0.text(0), $0.text(1), $0.int(2), UInt64($0.int(3))) }) {
            tally.add(district: district, category: category, status: status, n)
        }
        for (tier, n) in try db.query("SELECT c.tier, count(*) FROM complaints c WHERE \(clause) AND c.status IN (1, 2, 3, 6) AND c.tier > 1 GROUP BY 1",
                                      values, { ($0.int(0), UInt64($0.int(1))) }) {
            if tier == 2 { d.escalatedToDivision = n } else if tier == 3 { d.escalatedToProvince = n }
        }
        d.medianResolutionHours = try medianHours(db, "SELECT c.resolved_at - c.filed_at AS v FROM complaints c WHERE \(clause) AND c.resolved_at IS NOT NULL", values)

        let fb = try db.queryOne("""
            SELECT count(*), coalesce(sum(f.satisfied), 0) FROM feedback f JOIN complaints c ON c.id = f.complaint_id WHERE \(clause)
            """, values) { (UInt64($0.int(0)), UInt64($0.int(1))) } ?? (0, 0)
        d.feedbackGiven = fb.0
        d.satisfiedPercent = fb.0 == 0 ? 0 : Double(fb.1) * 100 / Double(fb.0)
        let reopen = try db.queryOne("""
            SELECT count(*), coalesce(sum(c.reopen_count > 0), 0) FROM complaints c
            WHERE \(clause) AND (c.reopen_count > 0 OR c.status IN (4, 5))
            """, values) { (UInt64($0.int(0)), UInt64($0.int(1))) } ?? (0, 0)
        d.reopenPercent = reopen.0 == 0 ? 0 : Double(reopen.1) * 100 / Double(reopen.0)
        return tally
    }
}
