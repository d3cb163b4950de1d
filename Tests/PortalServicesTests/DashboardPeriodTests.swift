import Foundation
import PortalRPC
import PortalServices
import PortalStore
import Testing

/// Period dashboards come from counters by filing day (migration 0007). These tests drive
/// every kind of change a complaint goes through, across several days, and check each figure
/// of each tier's dashboard, for several periods, against a plain recount from the complaint,
/// feedback and assignee rows — and every counter table against its recount.
@Suite struct DashboardPeriodTests {
    static let day: Int64 = 86_400_000, hour: Int64 = 3_600_000, pkt: Int64 = 5 * 3_600_000

    /// Complaints filed over four days in three districts, assigned, resolved, reopened,
    /// transferred, escalated and rated.
    static func populate(_ p: TestPortal) async throws -> [TestPortal.SignedIn] {
        let (dc, commissioner, cs) = try await DashboardTests.populate(p)
        let peshawar = try await p.newCitizen(district: "PSH")
        let officer = try await p.newStaff(.departmentOfficer, "PSH", department: "PHE")
        for round in 0..<4 {
            p.clock.advance(byMillis: 19 * hour)
            let a = try await p.fileComplaint(peshawar, category: round % 2 == 0 ? "water-supply" : "roads-bridges")
            let b = try await p.fileComplaint(peshawar, category: "street-lights")
            _ = try await p.officer.assignComplaint(.with { $0.code = a.code; $0.officerIds = [officer.id] }, options: dc.options)
            p.clock.advance(byMillis: Int64(round + 2) * hour)
            _ = try await p.officer.resolveComplaint(.with { $0.code = a.code; $0.remarks = "Repaired." }, options: officer.options)
            _ = try await p.citizen.submitFeedback(.with {
                $0.code = a.code; $0.satisfied = round != 1; $0.timeRating = 4; $0.qualityRating = 4; $0.reopen = round == 1
            }, options: peshawar.options)
            if round == 2 {
                _ = try await p.officer.transferComplaint(.with { $0.code = b.code; $0.districtCode = "CSD"; $0.reason = "Street is in Charsadda." },
                                                          options: dc.options)
            }
        }
        p.clock.advance(byDays: 16)
        #expect(try await p.app.escalator.scan() > 0)
        _ = try await p.fileComplaint(peshawar, category: "police")  // recent: open, not overdue
        return [dc, commissioner, cs]
    }

    @Test func periodFiguresEqualARecount() async throws {
        try await withPortal { p in
            let callers = try await Self.populate(p)
            let now = p.app.core.clock.nowMillis()
            let periods: [(Int64?, Int64?)] = [
                (now - 40 * Self.day, nil), (nil, now - 17 * Self.day), (now - 20 * Self.day + 7 * Self.hour, now - 18 * Self.day + 3 * Self.hour),
                (now - Self.day, now), (1_000, 4_000_000_000_000),
            ]
            for caller in callers {
                for (from, to) in periods {
                    var request = Portal_V1_GetDashboardRequest()
                    if let from { request.periodStart = .with { $0.seconds = from / 1000; $0.nanos = Int32(from % 1000) * 1_000_000 } }
                    if let to { request.periodEnd = .with { $0.seconds = to / 1000; $0.nanos = Int32(to % 1000) * 1_000_000 } }
                    let d = try await p.officer.getDashboard(request, options: caller.options)
                    // Whole days in Pakistan Standard Time: the start rounded down, the end up.
                    let start = from.map { Self.floorDiv($0 + Self.pkt, Self.day) * Self.day - Self.pkt }
                    let end = to.map { -Self.floorDiv(-($0 + Self.pkt), Self.day) * Self.day - Self.pkt }
                    #expect(d.periodStart.map { $0.seconds * 1000 } == start)
                    #expect(d.periodEnd.map { $0.seconds * 1000 } == end)
                    let expected = try await p.app.core.store.read { db in
                        try Recount(db, scope: d.scopeCode, tier: d.scopeTier, start: start, end: end, now: now)
                    }
                    expected.check(d, "\(d.scopeCode) \(String(describing: from))..<\(String(describing: to))")
                }
            }
            let mismatches = try await p.app.core.store.read { db in try StatisticsAudit.mismatches(db) }
            #expect(mismatches.count >= 12)
            #expect(mismatches.filter { $0.rows != 0 }.map(\.table) == [])
        }
    }

    /// A rejected or out-of-order period keeps its error, and an end before any complaint
    /// counts nothing.
    @Test func emptyPeriodCountsNothing() async throws {
        try await withPortal { p in
            let callers = try await Self.populate(p)
            var request = Portal_V1_GetDashboardRequest()
            request.periodEnd = .with { $0.seconds = 86_400 * 365 }
            let d = try await p.officer.getDashboard(request, options: callers[2].options)
            #expect(d.complaints?.total ?? 0 == 0 && d.byCategory.isEmpty && d.feedbackGiven == 0 && d.medianResolutionHours == 0)
            #expect(d.overdue > 0)  // overdue is a figure of now, not of the period
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { (a - ((a % b) + b) % b) / b }

    /// Each figure recounted from the rows, the way the dashboard defines it.
    struct Recount {
        var byStatus: [Int64: UInt64] = [:], byDistrict: [String: UInt64] = [:], byCategory: [String: UInt64] = [:]
        var escalated: [Int64: UInt64] = [:], median = 0.0, feedback: (UInt64, UInt64) = (0, 0), reopenPercent = 0.0
        var overdue: [String: UInt64] = [:], officers: [String: (UInt64, UInt64, Double)] = [:], citizens: UInt64 = 0

        init(_ db: Database, scope: String, tier: Portal_V1_Tier, start: Int64?, end: Int64?, now: Int64) throws {
            let districts = tier == .district ? [scope]
                : try db.query(tier == .division ? "SELECT code FROM jurisdictions WHERE parent_code = ?" : "SELECT code FROM jurisdictions WHERE tier = 1",
                               tier == .division ? [scope] : []) { $0.text(0) }
            let inScope = "c.district_code IN (\(districts.map { "'\($0)'" }.joined(separator: ",")))"
            var period = inScope
            if let start { period += " AND c.filed_at >= \(start)" }
            if let end { period += " AND c.filed_at < \(end)" }
            for (status, district, category, tier, reopens) in try db.query(
                "SELECT status, district_code, category_code, tier, reopen_count FROM complaints c WHERE \(period)", [], { ($0.int(0), $0.text(1), $0.text(2), $0.int(3), $0.int(4)) }) {
                byStatus[status, default: 0] += 1; byDistrict[district, default: 0] += 1; byCategory[category, default: 0] += 1
                if [1, 2, 3, 6].contains(status) && tier > 1 { escalated[tier, default: 0] += 1 }
                _ = reopens
            }
            let hours = try db.query("SELECT min((resolved_at - filed_at) / 3600000, 2160) FROM complaints c WHERE \(period) AND resolved_at IS NOT NULL ORDER BY 1", [], { $0.int(0) })
            median = Self.median(hours)
            feedback = try db.queryOne("SELECT count(*), coalesce(sum(satisfied), 0) FROM feedback f JOIN complaints c ON c.id = f.complaint_id WHERE \(period)", [],
                                       { (UInt64($0.int(0)), UInt64($0.int(1))) })!
            let reopen = try db.queryOne("SELECT count(*), coalesce(sum(reopen_count > 0), 0) FROM complaints c WHERE \(period) AND (reopen_count > 0 OR status IN (4, 5))", [],
                                         { (Double($0.int(0)), Double($0.int(1))) })!
            reopenPercent = reopen.0 == 0 ? 0 : reopen.1 * 100 / reopen.0
            let cutoff = now - 15 * DashboardPeriodTests.day
            for (district, n) in try db.query("SELECT district_code, count(*) FROM complaints c WHERE \(inScope) AND status IN (1, 2, 3, 6) AND clock_started_at <= \(cutoff) GROUP BY 1",
                                              [], { ($0.text(0), UInt64($0.int(1))) }) { overdue[district] = n }
            var citizenSQL = "SELECT count(*) FROM citizens c WHERE verified = 1 AND \(inScope)"
            if let start { citizenSQL += " AND created_at >= \(start)" }
            if let end { citizenSQL += " AND created_at < \(end)" }
            citizens = UInt64(try db.queryOne(citizenSQL, [], { $0.int(0) })!)
            if tier == .district {
                for (id, assigned, resolved) in try db.query("""
                    SELECT a.staff_id, count(*), count(a.resolved_at) FROM complaint_assignees a JOIN complaints c ON c.id = a.complaint_id
                    JOIN staff s ON s.id = a.staff_id WHERE \(period) AND s.role = 2 GROUP BY 1
                    """, [], { ($0.int(0), UInt64($0.int(1)), UInt64($0.int(2))) }) {
                    let h = try db.query("""
                        SELECT min((a.resolved_at - a.assigned_at) / 3600000, 2160) FROM complaint_assignees a JOIN complaints c ON c.id = a.complaint_id
                        WHERE \(period) AND a.staff_id = ? AND a.resolved_at IS NOT NULL ORDER BY 1
                        """, [id], { $0.int(0) })
                    officers[String(id)] = (assigned, resolved, Self.median(h))
                }
            }
        }

        static func median(_ sorted: [Int64]) -> Double {
            sorted.isEmpty ? 0 : Double(sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
        }

        func check(_ d: Portal_V1_Dashboard, _ label: String) {
            let c = d.complaints ?? .init()
            #expect(c.total == byStatus.values.reduce(0, +), "\(label)")
            #expect(c.new == byStatus[1] ?? 0 && c.resolved == byStatus[4] ?? 0 && c.closed == byStatus[5] ?? 0, "\(label)")
            #expect(c.pending == (byStatus[2] ?? 0) + (byStatus[3] ?? 0) + (byStatus[6] ?? 0), "\(label)")
            #expect(Dictionary(uniqueKeysWithValues: d.byDistrict.map { ($0.districtCode, $0.counts?.total ?? 0) }).filter { $0.value > 0 } == byDistrict, "\(label)")
            #expect(Dictionary(uniqueKeysWithValues: d.byCategory.map { ($0.categoryCode, $0.counts?.total ?? 0) }) == byCategory, "\(label)")
            #expect(d.escalatedToDivision == escalated[2] ?? 0 && d.escalatedToProvince == escalated[3] ?? 0, "\(label)")
            #expect(d.medianResolutionHours == median, "\(label)")
            #expect(d.feedbackGiven == feedback.0, "\(label)")
            #expect(d.satisfiedPercent == (feedback.0 == 0 ? 0 : Double(feedback.1) * 100 / Double(feedback.0)), "\(label)")
            #expect(abs(d.reopenPercent - reopenPercent) < 1e-9, "\(label)")
            #expect(d.overdue == overdue.values.reduce(0, +), "\(label)")
            #expect(d.byDistrict.allSatisfy { $0.overdue == overdue[$0.districtCode] ?? 0 }, "\(label)")
            #expect(d.citizensRegistered == citizens, "\(label)")
            if d.scopeTier == .district {
                #expect(d.byOfficer.count == officers.count, "\(label)")
                for o in d.byOfficer {
                    let e = officers[o.staffId]
                    #expect(e?.0 == o.assigned && e?.1 == o.resolved && e?.2 == o.medianResolutionHours, "\(label) officer \(o.staffId)")
                }
            }
        }
    }
}
