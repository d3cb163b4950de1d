import PortalStore

/// Every statistics table (kept by triggers, and for new complaints by `ComplaintCounters`)
/// next to the GROUP BY that recounts it from the data.
/// The `0007_daily_statistics` migration backfills with these queries, and `mismatches` checks
/// that the triggers kept each table equal to its recount (tests after every kind of change;
/// operators after a restore or a manual repair: a non-zero count means the dashboards are off).
///
/// `resolution_hours` is not checked: it counts every resolution of a reopened complaint, and a
/// recount can only see the current one.
public enum StatisticsAudit {
    struct Table {
        var name: String
        var columns: String
        /// The columns of a row that counts something (zero rows stay behind in the table; a
        /// negative count is always a mismatch).
        var nonZero: String
        var recount: String
    }

    static let tables: [Table] = {
        let day = PortalMigrations.daySQL("filed_at"), cday = PortalMigrations.daySQL("c.filed_at")
        let hours = PortalMigrations.hoursSQL("filed_at", "resolved_at")
        let officerHours = PortalMigrations.hoursSQL("a.assigned_at", "a.resolved_at")
        return [
            Table(name: "complaint_stats", columns: "district_code, category_code, status, tier, reopened, n", nonZero: "n <> 0",
                  recount: "SELECT district_code, category_code, status, tier, reopen_count > 0, count(*) FROM complaints GROUP BY 1, 2, 3, 4, 5"),
            Table(name: "citizen_stats", columns: "district_code, n", nonZero: "n <> 0",
                  recount: "SELECT district_code, count(*) FROM citizens WHERE verified = 1 GROUP BY 1"),
            Table(name: "feedback_stats", columns: "district_code, given, satisfied", nonZero: "given > 0",
                  recount: "SELECT c.district_code, count(*), sum(f.satisfied) FROM feedback f JOIN complaints c ON c.id = f.complaint_id GROUP BY 1"),
            Table(name: "complaint_days", columns: "district_code, day, category_code, status, tier, reopened, n", nonZero: "n <> 0",
                  recount: "SELECT district_code, \(day), category_code, status, tier, reopen_count > 0, count(*) FROM complaints GROUP BY 1, 2, 3, 4, 5, 6"),
            Table(name: "complaint_days_by_district", columns: "day, district_code, status, tier, reopened, n", nonZero: "n <> 0",
                  recount: "SELECT \(day), district_code, status, tier, reopen_count > 0, count(*) FROM complaints GROUP BY 1, 2, 3, 4, 5"),
            Table(name: "complaint_days_by_category", columns: "day, category_code, status, n", nonZero: "n <> 0",
                  recount: "SELECT \(day), category_code, status, count(*) FROM complaints GROUP BY 1, 2, 3"),
            Table(name: "resolution_days", columns: "district_code, day, hours, n", nonZero: "n <> 0",
                  recount: "SELECT district_code, \(day), \(hours), count(*) FROM complaints WHERE resolved_at IS NOT NULL GROUP BY 1, 2, 3"),
            Table(name: "resolution_days_all", columns: "day, hours, n", nonZero: "n <> 0",
                  recount: "SELECT \(day), \(hours), count(*) FROM complaints WHERE resolved_at IS NOT NULL GROUP BY 1, 2"),
            Table(name: "feedback_days", columns: "district_code, day, given, satisfied", nonZero: "given > 0",
                  recount: "SELECT c.district_code, \(cday), count(*), sum(f.satisfied) FROM feedback f JOIN complaints c ON c.id = f.complaint_id GROUP BY 1, 2"),
            Table(name: "officer_days", columns: "staff_id, day, assigned, resolved", nonZero: "assigned > 0",
                  recount: "SELECT a.staff_id, \(cday), count(*), count(a.resolved_at) FROM complaint_assignees a JOIN complaints c ON c.id = a.complaint_id GROUP BY 1, 2"),
            Table(name: "officer_hours", columns: "staff_id, day, hours, n", nonZero: "n <> 0",
                  recount: """
                  SELECT a.staff_id, \(cday), \(officerHours), count(*) FROM complaint_assignees a JOIN complaints c ON c.id = a.complaint_id
                  WHERE a.resolved_at IS NOT NULL GROUP BY 1, 2, 3
                  """),
            Table(name: "officer_hours_all", columns: "staff_id, hours, n", nonZero: "n <> 0",
                  recount: "SELECT a.staff_id, \(officerHours), count(*) FROM complaint_assignees a WHERE a.resolved_at IS NOT NULL GROUP BY 1, 2"),
        ]
    }()

    /// The tables `0007_daily_statistics` adds.
    static let dailyTables: Set<String> = [
        "complaint_days", "complaint_days_by_district", "complaint_days_by_category", "resolution_days", "resolution_days_all",
        "feedback_days", "officer_days", "officer_hours", "officer_hours_all",
    ]

    /// `INSERT … SELECT` statements filling the daily tables from the data (the migration's backfill).
    static var backfill: String {
        tables.filter { dailyTables.contains($0.name) }
            .map { "INSERT INTO \($0.name) (\($0.columns)) \($0.recount);" }
            .joined(separator: "\n")
    }

    /// The tables `ComplaintCounters` adds new complaints to.
    static let complaintCounterTables: Set<String> = [
        "complaint_stats", "complaint_days", "complaint_days_by_district", "complaint_days_by_category",
    ]

    /// Recounts the tables `ComplaintCounters` keeps from the complaints, inside the caller's
    /// transaction: for a bulk load that inserted complaints with SQL of its own (a benchmark's
    /// data set generator, a migration from another system). Reads every complaint.
    public static func recountComplaintCounters(_ db: Database) throws {
        for t in tables where complaintCounterTables.contains(t.name) {
            try db.execute("DELETE FROM \(t.name); INSERT INTO \(t.name) (\(t.columns)) \(t.recount)")
        }
    }

    /// For each statistics table, how many rows differ from its recount, either way (all 0 when
    /// the triggers kept up). Reads every complaint: seconds on a large store.
    public static func mismatches(_ db: Database) throws -> [(table: String, rows: Int)] {
        try tables.map { t in
            let sql = """
                SELECT (SELECT count(*) FROM (SELECT \(t.columns) FROM \(t.name) WHERE \(t.nonZero) EXCEPT \(t.recount)))
                     + (SELECT count(*) FROM (\(t.recount) EXCEPT SELECT \(t.columns) FROM \(t.name) WHERE \(t.nonZero)))
                """
            return (t.name, Int(try db.queryOne(sql) { $0.int(0) } ?? 0))
        }
    }
}
