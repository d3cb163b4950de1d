import Foundation
import PortalRPC
import PortalServices
import PortalStore
import Synchronization
import Testing

/// New complaints are counted once per write transaction (`ComplaintCounters`), changes by the
/// update triggers. Whatever shares a group commit, every counter table must equal its recount.
@Suite struct ComplaintCountersTests {
    /// Holds the store's writer inside a write until `release()`, so that what is queued
    /// behind it goes into one group commit.
    final class HeldWriter: Sendable {
        final class Flag: Sendable {
            let value = Atomic<Bool>(false)
        }
        private let gate = DispatchSemaphore(value: 0)
        private let entered = Flag()
        let task: Task<Void, any Error>

        init(_ store: Store) {
            let gate = gate, entered = entered
            task = Task {
                try await store.write { _ in
                    entered.value.store(true, ordering: .sequentiallyConsistent)
                    gate.wait()
                }
            }
        }

        var isHolding: Bool { entered.value.load(ordering: .sequentiallyConsistent) }

        func release() { gate.signal() }
    }

    /// Polls `condition` for up to 60 s (CI shares two cores).
    static func waitFor(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    static func mismatches(_ p: TestPortal) async throws -> [String] {
        try await p.app.core.store.read { db in try StatisticsAudit.mismatches(db) }.filter { $0.rows != 0 }.map(\.table)
    }

    /// Filings, then changes to those same complaints (status, district, category), all in one
    /// group commit: the changes reach the counter rows before the filings' counts are
    /// written, and the totals must still come out right.
    @Test func filingsAndChangesInOneGroupCommitCountRight() async throws {
        try await withPortal { p in
            let store = p.app.core.store
            let citizen = try await p.newCitizen(district: "PSH")
            _ = try await p.fileComplaint(citizen)  // counted in a commit of its own
            let commitsBefore = store.statistics.commits
            let held = HeldWriter(store)
            try await Self.waitFor("the writer is held") { held.isHolding }
            var filings: [Task<Portal_V1_Complaint, any Error>] = []
            for i in 0..<4 {
                filings.append(Task {
                    var f = Portal_V1_FileComplaintRequest()
                    f.idempotencyKey = "one-commit-\(i)"
                    f.categoryCode = i % 2 == 0 ? "water-supply" : "street-lights"
                    f.description_p = "Filed while the writer was held, number \(i)."
                    return try await p.citizen.fileComplaint(f, options: citizen.options)
                })
                try await Self.waitFor("filing \(i) is queued") { store.statistics.queuedWrites == i + 1 }
            }
            let changes = Task {
                try await store.write { db in
                    let changed = try db.run("UPDATE complaints SET status = 2 WHERE idempotency_key IN ('one-commit-0', 'one-commit-1')")
                    let moved = try db.run("UPDATE complaints SET district_code = 'CSD', category_code = 'police' WHERE idempotency_key = 'one-commit-2'")
                    return changed + moved
                }
            }
            try await Self.waitFor("the changes are queued") { store.statistics.queuedWrites == 5 }
            held.release()
            try await held.task.value
            for filing in filings { _ = try await filing.value }
            #expect(try await changes.value == 3, "the changes ran after the filings, in the same transaction")
            #expect(store.statistics.commits - commitsBefore == 2, "the held write, then one batch of five")
            #expect(try await Self.mismatches(p) == [])
            let negative = try await store.read { db in
                try db.queryOne("""
                    SELECT (SELECT count(*) FROM complaint_stats WHERE n < 0) + (SELECT count(*) FROM complaint_days WHERE n < 0)
                         + (SELECT count(*) FROM complaint_days_by_district WHERE n < 0) + (SELECT count(*) FROM complaint_days_by_category WHERE n < 0)
                    """) { $0.int(0) }
            }
            #expect(negative == 0)
        }
    }

    /// A filing that fails after its INSERT (an attachment that is not the citizen's) leaves no
    /// count behind, while the other filings of its batch are counted.
    @Test func aFilingThatFailsLeavesNoCount() async throws {
        try await withPortal { p in
            let store = p.app.core.store
            let citizen = try await p.newCitizen(district: "MRD")
            let held = HeldWriter(store)
            try await Self.waitFor("the writer is held") { held.isHolding }
            var bad = Portal_V1_FileComplaintRequest()
            bad.idempotencyKey = "fails-after-insert"
            bad.categoryCode = "water-supply"
            bad.description_p = "This one lists an upload that does not exist."
            bad.attachmentIds = ["AAAAAAAAAAAAAAAAAAAAAA"]
            let failing = Task { try await p.citizen.fileComplaint(bad, options: citizen.options) }
            try await Self.waitFor("the failing filing is queued") { store.statistics.queuedWrites == 1 }
            let good = Task { try await p.fileComplaint(citizen) }
            try await Self.waitFor("the good filing is queued") { store.statistics.queuedWrites == 2 }
            held.release()
            try await held.task.value
            await #expect(throws: (any Error).self) { try await failing.value }
            _ = try await good.value
            let counted = try await store.read { db in
                try db.queryOne("SELECT sum(n) FROM complaint_stats WHERE district_code = 'MRD'") { $0.int(0) }
            }
            #expect(counted == 1)
            #expect(try await Self.mismatches(p) == [])
        }
    }
}
