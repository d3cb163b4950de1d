#if canImport(Glibc)
import Glibc
#endif
import PortalServices
import PortalStore

/// `portal-bench explain --data DIR [--runs 5] [--only NAME] [--pragma SQL] [--setup SQL --scratch-copy]`
///
/// `--pragma` runs on the measuring connection first (e.g. `PRAGMA mmap_size = 2147483648`);
/// `--setup` runs on a read-write connection first (e.g. a candidate index) and is refused
/// unless `--scratch-copy` says DIR is a copy that may be changed. Both exist to try fixes
/// without touching Sources/.
///
/// Times every SQL statement a GetDashboard and a GetComplaint run, one by one on a read-only
/// connection, with SQLite's query plan for each: where a dashboard's milliseconds go. The
/// statements are copies of the ones in Sources/PortalServices/Dashboards/DashboardQueries*.swift,
/// Complaints/ComplaintRecords.swift and Accounts/Authenticator.swift (the function in each
/// name; the text must be kept identical, or the plans mean nothing), with the bindings the
/// services use for the DC of PSH, the Commissioner of DIV-PSH and the Chief Secretary.
/// The staff session lookup runs with a citizen's token (its plan is what matters).
func explain(_ options: Options) throws {
    let data = options.dataDirectory
    if let setup = options.optionalString("setup") {
        guard options.flag("scratch-copy") else { fail("--setup changes the store: give a copy and --scratch-copy") }
        let w = try Database.writer(path: data + "/portal.sqlite")
        let t0 = nowNanos()
        try w.execute(setup)
        w.close()
        say("setup (\(fmt(Double(nowNanos() - t0) / 1e9, 1)) s): \(setup)")
    }
    let db = try Database.reader(path: data + "/portal.sqlite")
    if let pragma = options.optionalString("pragma") {
        try db.execute(pragma)
        say("pragma: \(pragma)")
    }
    let runs = max(1, options.int("runs", 5))
    let only = options.optionalString("only")
    let now = unixMillis()
    let from = now - 30 * 86_400_000, to = now + 3_600_000
    let overdueCutoff = now - 15 * 86_400_000
    let districtsOf: [String: [String]] = [
        "PSH": ["PSH"],
        "DIV-PSH": try db.query("SELECT code FROM jurisdictions WHERE parent_code = 'DIV-PSH' ORDER BY code") { $0.text(0) },
        "KP": try db.query("SELECT code FROM jurisdictions WHERE tier = 1 ORDER BY code") { $0.text(0) },
    ]
    say("explain: \(runs) runs per statement (median ms), read-only connection; load \(loadAverage())")

    func measure(_ name: String, _ sql: String, _ values: [SQLValue]) throws {
        if let only, !name.contains(only) { return }
        let plan = try db.query("EXPLAIN QUERY PLAN " + sql, values) { $0.text(3) }
        var times: [Double] = []
        var rows = 0
        for _ in 0..<runs {
            let t0 = nowNanos()
            rows = 0
            try db.readTransaction { try db.forEachRow(sql, values) { _ in rows += 1 } }
            times.append(Double(nowNanos() - t0) / 1e6)
        }
        times.sort()
        say("STMT \(name) median_ms=\(fmt(times[times.count / 2], 2)) min_ms=\(fmt(times[0], 2)) rows=\(rows)")
        for p in plan { say("    plan: \(p)") }
    }

    /// One timed run (ms) of a statement, rows discarded.
    func timeOnce(_ sql: String, _ values: [SQLValue]) throws -> Double {
        let t0 = nowNanos()
        try db.readTransaction { try db.forEachRow(sql, values) { _ in } }
        return Double(nowNanos() - t0) / 1e6
    }

    for (scopeCode, tier) in [("PSH", "district"), ("DIV-PSH", "division"), ("KP", "province")] {
        let districts = districtsOf[scopeCode]!
        let inList = "(\(districts.map { _ in "?" }.joined(separator: ", ")))"
        let dv = districts.map { SQLValue.text($0) }
        let (clause, cv): (String, [SQLValue]) = switch tier {
        case "district": ("c.district_code = ?", [.text(scopeCode)])
        // A division or the province as its districts (DashboardQueries.scope, migration 0009).
        default: ("c.district_code IN \(inList)", dv)
        }
        let p = "\(tier)"
        // DashboardQueries+Totals.swift (all time)
        try measure("\(p)-all allTime complaint_stats", "SELECT district_code, category_code, status, tier, reopened, n FROM complaint_stats WHERE district_code IN \(inList) AND n > 0", dv)
        try measure("\(p)-all allTime citizen_stats", "SELECT coalesce(sum(n), 0) FROM citizen_stats WHERE district_code IN \(inList)", dv)
        try measure("\(p)-all allTime feedback_stats", "SELECT coalesce(sum(given), 0), coalesce(sum(satisfied), 0) FROM feedback_stats WHERE district_code IN \(inList)", dv)
        try measure("\(p)-all allTime resolution_hours", "SELECT hours, sum(n) FROM resolution_hours WHERE district_code IN \(inList) GROUP BY hours ORDER BY hours", dv)
        // DashboardQueries.swift (both)
        let open = OpenComplaints.condition("c.status")
        let overdueIndex = tier == "district" ? "" : "INDEXED BY complaints_open_district_clock "
        try measure("\(p)-both dashboard overdue (open, not yet due)", "SELECT c.district_code, count(*) FROM complaints c \(overdueIndex)WHERE \(open) AND \(clause) AND c.clock_started_at > ? GROUP BY 1",
                    cv + [.integer(overdueCutoff)])
        // DashboardQueries+Period.swift (30 days)
        let pc = clause + " AND c.filed_at >= ? AND c.filed_at < ?"
        let pv = cv + [.integer(from), .integer(to)]
        try measure("\(p)-30d period citizens", "SELECT count(*) FROM citizens WHERE district_code IN \(inList) AND created_at >= ? AND created_at < ?", dv + [.integer(from), .integer(to)])
        try measure("\(p)-30d period by-district/category/status", "SELECT c.district_code, c.category_code, c.status, count(*) FROM complaints c WHERE \(pc) GROUP BY 1, 2, 3", pv)
        let median = "SELECT c.resolved_at - c.filed_at AS v FROM complaints c WHERE \(pc) AND c.resolved_at IS NOT NULL"
        try measure("\(p)-30d period medianHours-count", "SELECT count(*) FROM (\(median))", pv)
        try measure("\(p)-30d period medianHours-rows", "SELECT v FROM (\(median)) ORDER BY v LIMIT ? OFFSET ?", pv + [.integer(2), .integer(1000)])
        try measure("\(p)-30d period feedback", "SELECT count(*), coalesce(sum(f.satisfied), 0) FROM feedback f JOIN complaints c ON c.id = f.complaint_id WHERE \(pc)", pv)
        try measure("\(p)-30d period reopen", "SELECT count(*), coalesce(sum(c.reopen_count > 0), 0) FROM complaints c WHERE \(pc) AND (c.reopen_count > 0 OR c.status IN (4, 5))", pv)
        if tier == "district" {
            for (label, oc, ov) in [("all", clause, cv), ("30d", pc, pv)] {
                let officersSQL = """
                    SELECT s.id, s.name, count(*), count(a.resolved_at) FROM complaint_assignees a
                    JOIN complaints c ON c.id = a.complaint_id JOIN staff s ON s.id = a.staff_id
                    WHERE \(oc) GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 500
                    """
                try measure("\(p)-\(label) officers list", officersSQL, ov)
                let officerIDs = try db.query(officersSQL, ov) { $0.int(0) }
                let per = """
                    SELECT a.resolved_at - a.assigned_at AS v FROM complaint_assignees a JOIN complaints c ON c.id = a.complaint_id
                    WHERE \(oc) AND a.staff_id = ? AND a.resolved_at IS NOT NULL
                    """
                // Every officer's two median statements, summed (the dashboard runs them all).
                var count = 0.0, rowsTime = 0.0
                for officer in officerIDs {
                    count += try timeOnce("SELECT count(*) FROM (\(per))", ov + [.integer(officer)])
                    rowsTime += try timeOnce("SELECT v FROM (\(per)) ORDER BY v LIMIT ? OFFSET ?", ov + [.integer(officer), .integer(2), .integer(100)])
                }
                if only == nil || "\(p)-\(label) officers medians".contains(only!) {
                    say("STMT \(p)-\(label) officers medianHours-count-all-\(officerIDs.count)-officers median_ms=\(fmt(count, 2)) min_ms=\(fmt(count, 2)) rows=\(officerIDs.count)")
                    say("STMT \(p)-\(label) officers medianHours-rows-all-\(officerIDs.count)-officers median_ms=\(fmt(rowsTime, 2)) min_ms=\(fmt(rowsTime, 2)) rows=\(officerIDs.count)")
                    if let first = officerIDs.first {
                        for p in try db.query("EXPLAIN QUERY PLAN SELECT count(*) FROM (\(per))", ov + [.integer(first)], { $0.text(3) }) { say("    plan: \(p)") }
                    }
                }
            }
        }
    }

    // GetComplaint: the session lookup, then ComplaintRecords.load + CitizenAccounts.load.
    let code = try db.queryOne("SELECT code FROM complaints WHERE id = (SELECT max(id) / 2 FROM complaints)") { $0.text(0) }!
    let id = try db.queryOne("SELECT id FROM complaints WHERE code = ?", [code]) { $0.int(0) }!
    let hash = try db.queryOne("SELECT token_hash FROM sessions LIMIT 1") { $0.blob(0) } ?? []
    try measure("get Authenticator.principal citizen-session", "SELECT c.id, c.name, c.district_code, c.verified FROM sessions s JOIN citizens c ON c.id = s.citizen_id WHERE s.token_hash = ? AND s.expires_at > ? AND c.blocked = 0", [.blob(hash), .integer(now)])
    try measure("get Authenticator.principal staff-session", "SELECT t.id, t.name, t.role, coalesce(t.jurisdiction_code, ''), coalesce(t.department_code, '') FROM sessions s JOIN staff t ON t.id = s.staff_id WHERE s.token_hash = ? AND s.expires_at > ? AND t.active = 1", [.blob(hash), .integer(now)])
    try measure("get ComplaintRecords.load by-code", "SELECT c.id, c.code, c.citizen_id, c.category_code, c.department_code, c.description, c.district_code, c.division_code, c.latitude, c.longitude, c.accuracy_m, c.address, c.status, c.tier, c.reopen_count, c.filed_at, c.clock_started_at, c.updated_at, c.resolved_at FROM complaints c WHERE c.code = ?", [.text(code)])
    try measure("get ComplaintRecords.complete assignees", "SELECT staff_id FROM complaint_assignees WHERE complaint_id = ? ORDER BY staff_id", [.integer(id)])
    try measure("get ComplaintRecords.complete attachments", "SELECT id, kind, content_type, size_bytes, sha256 FROM attachments WHERE complaint_id = ? ORDER BY created_at, id", [.integer(id)])
    try measure("get ComplaintRecords.complete feedback", "SELECT satisfied, time_rating, quality_rating, comment, given_at FROM feedback WHERE complaint_id = ? ORDER BY id DESC LIMIT 1", [.integer(id)])
    try measure("get ComplaintRecords.events", "SELECT at, actor_role, actor_name, kind, value, text FROM complaint_events WHERE complaint_id = ? ORDER BY id", [.integer(id)])
    db.close()
}
