import PortalModel
import PortalStore
import Testing
@testable import PortalServices

/// The partial indexes of unresolved complaints (migration 0010) and the queries that must
/// name their condition exactly to use them.
@Suite struct OpenComplaintIndexTests {
    @Test func theConditionIsTheUnresolvedStatuses() async throws {
        try await withPortal { p in
            let accepted = try await p.app.core.store.read { db in
                try db.query("""
                    WITH RECURSIVE s(status) AS (SELECT -1 UNION ALL SELECT status + 1 FROM s WHERE status < 9)
                    SELECT status FROM s WHERE \(OpenComplaints.condition("status"))
                    """) { $0.int(0) }
            }
            #expect(accepted == OpenComplaints.statuses.map { Int64($0.rawValue) }.sorted())
            #expect(accepted == [1, 2, 3, 6])
        }
    }

    /// The queries of the escalator, the overdue filter and the overdue dashboard count read
    /// the partial indexes, and writing a complaint evaluates their condition without a
    /// temporary table (an `IN` list of more than two values costs one per index per row).
    @Test func queriesUseThePartialIndexesAndWritesNeedNoTemporaryTable() async throws {
        try await withPortal { p in
            let open = OpenComplaints.condition("c.status")
            let insert = """
                INSERT INTO complaints (code, citizen_id, idempotency_key, category_code, department_code, description,
                    district_code, division_code, status, filed_at, clock_started_at, updated_at)
                VALUES ('X', 1, 'k', 'c', 'd', 'text', 'PSH', 'DIV-PSH', 1, 0, 0, 0)
                """
            let (escalator, overdue, insertTables, updateTables) = try await p.app.core.store.read { db throws in
                func plan(_ sql: String) throws -> String {
                    try db.query("EXPLAIN QUERY PLAN " + sql) { $0.text(3) }.joined(separator: "; ")
                }
                func temporaryTables(_ sql: String) throws -> Int {
                    try db.query("EXPLAIN " + sql) { $0.text(1) }.filter { $0 == "OpenEphemeral" }.count
                }
                return (try plan("SELECT id FROM complaints c WHERE \(open) AND c.clock_started_at <= 0 ORDER BY c.clock_started_at LIMIT 5"),
                        try plan("SELECT count(*) FROM complaints c INDEXED BY complaints_open_district_clock WHERE \(open) AND c.district_code = 'PSH' AND c.clock_started_at > 0"),
                        try temporaryTables(insert),
                        try temporaryTables("UPDATE complaints SET status = 4 WHERE id = 1"))
            }
            #expect(escalator.contains("complaints_open_clock"))
            #expect(overdue.contains("complaints_open_district_clock"))
            #expect(insertTables == 0)
            #expect(updateTables == 0)
        }
    }
}
