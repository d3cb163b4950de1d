import Synchronization
import Testing

@testable import PortalStore

@Suite("Store: group commit")
struct GroupCommitTests {
    private func insert(_ store: Store, _ value: String) async throws {
        try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", value) }
    }

    /// Holds the writer inside a write until the test opens the gate.
    private func holdWriter(_ store: Store) async throws -> (Gate, Task<Void, any Error>) {
        let gate = Gate()
        let task = Task { try await store.write { _ in gate.pass() } }
        try await waitUntil("the writer is held") { gate.isEntered }
        return (gate, task)
    }

    @Test func concurrentWritesShareCommits() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for i in 0..<500 {
                    group.addTask {
                        try await store.write { db in
                            try db.run("INSERT INTO item (value) VALUES (?)", "c\(i)")
                            return db.lastInsertRowID
                        }
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 500)
            let count = try await store.read { db in
                try db.queryOne("SELECT count(*) FROM item") { $0.int(0) }
            }
            #expect(count == 500)
            let statistics = store.statistics
            #expect(statistics.writes == 500)
            #expect(statistics.commits < 500)
            #expect(statistics.largestBatch > 1)
            #expect(statistics.batchSizes.reduce(0, +) == statistics.commits)
            #expect(statistics.failedWrites == 0 && statistics.failedBatches == 0)
        }
    }

    @Test func everythingQueuedGoesInOneCommit() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            let (gate, held) = try await holdWriter(store)
            defer { gate.open() }  // on every path, or close() would wait for the held writer forever
            let writes = (0..<10).map { i in Task { try await insert(store, "w\(i)") } }
            try await waitUntil("ten writes are queued") { store.statistics.queuedWrites == 10 }
            gate.open()
            try await held.value
            for write in writes { try await write.value }

            let statistics = store.statistics
            #expect(statistics.commits == 2)  // the held write alone, then the ten together
            #expect(statistics.largestBatch == 10)
            #expect(statistics.batchSizes == [1, 0, 1, 0, 0, 0])
            #expect(try await itemValues(store).count == 10)
        }
    }

    @Test func maxBatchSplitsTheQueue() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir, maxBatch: 4)
            defer { store.close() }
            let (gate, held) = try await holdWriter(store)
            defer { gate.open() }  // on every path, or close() would wait for the held writer forever
            let writes = (0..<10).map { i in Task { try await insert(store, "m\(i)") } }
            try await waitUntil("ten writes are queued") { store.statistics.queuedWrites == 10 }
            gate.open()
            try await held.value
            for write in writes { try await write.value }
            let statistics = store.statistics
            #expect(statistics.commits == 4)  // 1, then 4 + 4 + 2
            #expect(statistics.largestBatch == 4)
            #expect(statistics.batchSizes == [1, 3, 0, 0, 0, 0])
        }
    }

    @Test func aFailingItemDoesNotLoseItsNeighbours() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            try await insert(store, "existing")
            let (gate, held) = try await holdWriter(store)
            defer { gate.open() }  // on every path, or close() would wait for the held writer forever
            let good1 = Task { try await insert(store, "good1") }
            let thrower = Task {
                try await store.write { db in
                    try db.run("INSERT INTO item (value) VALUES (?)", "rolled back")
                    throw TestFailure(tag: "body")
                }
            }
            let duplicate = Task { try await insert(store, "existing") }
            let good2 = Task { try await insert(store, "good2") }
            try await waitUntil("four writes are queued") { store.statistics.queuedWrites == 4 }
            gate.open()
            try await held.value

            try await good1.value
            try await good2.value
            await #expect(throws: TestFailure(tag: "body")) { try await thrower.value }
            let unique = await errorOf { try await duplicate.value }
            #expect((unique as? StoreError)?.kind == .constraintUnique)

            #expect(try await itemValues(store) == ["existing", "good1", "good2"])
            let statistics = store.statistics
            #expect(statistics.commits == 3)
            #expect(statistics.failedWrites == 2)
            #expect(statistics.largestBatch == 4)
        }
    }

    @Test func aFailedCommitFailsEveryItemOfTheBatch() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            let (gate, held) = try await holdWriter(store)
            defer { gate.open() }  // on every path, or close() would wait for the held writer forever
            let innocent = Task { try await insert(store, "innocent") }
            // A deferred foreign key passes its statement and fails the COMMIT.
            let orphan = Task {
                try await store.write { db in
                    try db.run("INSERT INTO child (parent_id) VALUES (?)", 404)
                }
            }
            try await waitUntil("two writes are queued") { store.statistics.queuedWrites == 2 }
            gate.open()
            try await held.value

            for error in [await errorOf { try await innocent.value }, await errorOf { try await orphan.value }] {
                #expect((error as? StoreError)?.kind == .constraintForeignKey)
                #expect((error as? StoreError)?.sql == "COMMIT")
            }
            #expect(try await itemValues(store) == [])
            #expect(store.statistics.failedBatches == 1)

            // The writer carries on.
            try await insert(store, "after")
            #expect(try await itemValues(store) == ["after"])
        }
    }

    @Test func aBodyThatEndsTheTransactionFailsOnlyItsBatchSoFar() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            let (gate, held) = try await holdWriter(store)
            defer { gate.open() }  // on every path, or close() would wait for the held writer forever
            // Queue in a known order: before, the rogue body, after.
            let before = Task { try await insert(store, "before") }
            try await waitUntil("one queued") { store.statistics.queuedWrites == 1 }
            let rogue = Task {
                try await store.write { db in
                    try db.run("INSERT INTO item (value) VALUES (?)", "rogue")
                    try db.execute("ROLLBACK")
                }
            }
            try await waitUntil("two queued") { store.statistics.queuedWrites == 2 }
            let after = Task { try await insert(store, "after") }
            try await waitUntil("three queued") { store.statistics.queuedWrites == 3 }
            gate.open()
            try await held.value

            // "before" was in the rolled-back transaction: it must not be acknowledged.
            let lost = await errorOf { try await before.value } as? StoreError
            #expect(lost?.message.hasPrefix("the batch transaction ended during another write") == true)
            #expect(await errorOf { try await rogue.value } is StoreError)
            try await after.value
            #expect(try await itemValues(store) == ["after"])
        }
    }

    @Test func writeBodiesUseSavepointsNotTransactions() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            let nested = await errorOf { try await store.write { db in try db.transaction {} } }
            #expect((nested as? StoreError)?.kind == .misuse)
            try await store.write { db in
                try db.run("INSERT INTO item (value) VALUES (?)", "outer")
                _ = try? db.savepoint("inner") {
                    try db.run("INSERT INTO item (value) VALUES (?)", "inner")
                    throw TestFailure(tag: "inner")
                }
            }
            #expect(try await itemValues(store) == ["outer"])
        }
    }

    /// How many times each write body ran.
    final class Runs: Sendable {
        private let counts = Mutex<[String: Int]>([:])
        func ran(_ tag: String) { counts.withLock { $0[tag, default: 0] += 1 } }
        subscript(_ tag: String) -> Int { counts.withLock { $0[tag] ?? 0 } }
    }

    /// A batch runs its writes once, with no savepoint each; when one fails, the batch is
    /// rolled back and run again with a savepoint per write (so a body may run twice), and
    /// every write ends as if it had had its own savepoint all along.
    @Test func aBatchIsReplayedInSavepointsOnlyWhenAWriteFails() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            let runs = Runs()
            func write(_ tag: String, fail: Bool = false) -> Task<Void, any Error> {
                Task {
                    try await store.write { db in
                        runs.ran(tag)
                        try db.run("INSERT INTO item (value) VALUES (?)", tag)
                        if fail { throw TestFailure(tag: tag) }
                    }
                }
            }
            // A clean batch: every body once, nothing replayed.
            var (gate, held) = try await holdWriter(store)
            var tasks = ["a", "b", "c"].map { write($0) }
            try await waitUntil("three queued") { store.statistics.queuedWrites == 3 }
            gate.open()
            try await held.value
            for task in tasks { try await task.value }
            #expect(["a", "b", "c"].map { runs[$0] } == [1, 1, 1])
            #expect(store.statistics.replayedBatches == 0)

            // A batch with a failure in the middle: replayed once.
            (gate, held) = try await holdWriter(store)
            defer { gate.open() }
            tasks = []
            for (tag, fail) in [("d", false), ("bad", true), ("e", false)] {
                tasks.append(write(tag, fail: fail))
                try await waitUntil("\(tag) queued") { store.statistics.queuedWrites == tasks.count }
            }
            gate.open()
            try await held.value
            try await tasks[0].value
            await #expect(throws: TestFailure(tag: "bad")) { try await tasks[1].value }
            try await tasks[2].value
            #expect(["d", "bad", "e"].map { runs[$0] } == [2, 2, 1], "run until the failure, then all again")
            #expect(try await itemValues(store) == ["a", "b", "c", "d", "e"])
            let statistics = store.statistics
            #expect(statistics.replayedBatches == 1)
            #expect(statistics.failedWrites == 1 && statistics.failedBatches == 0)
        }
    }
}
