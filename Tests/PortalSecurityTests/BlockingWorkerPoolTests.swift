import Synchronization
import Testing
@testable import PortalSecurity

/// The thread pool behind `PasswordHasher`'s async API.
@Suite struct BlockingWorkerPoolTests {
    @Test func runsWorkAndReturnsResults() async throws {
        let pool = BlockingWorkerPool(name: "test", threads: 2, maxQueued: 64)
        defer { pool.shutdown() }
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 1...50 { group.addTask { try await pool.run { i * 2 } } }
            return try await group.reduce(0, +)
        }
        #expect(sum == 2 * (50 * 51 / 2))
    }

    @Test func errorsFromWorkReachTheCaller() async {
        struct Boom: Error {}
        let pool = BlockingWorkerPool(name: "test", threads: 1, maxQueued: 4)
        defer { pool.shutdown() }
        await #expect(throws: Boom.self) { try await pool.run { () throws -> Int in throw Boom() } }
    }

    @Test func jobCancelledWhileQueuedIsSkipped() async throws {
        let pool = BlockingWorkerPool(name: "test", threads: 1, maxQueued: 4)
        defer { pool.shutdown() }
        let gate = Gate()
        try pool.submit { gate.wait() }
        while pool.queuedCount > 0 { await Task.yield() }
        let ran = Flag()
        let waiting = Task { try await pool.run { ran.set() } }
        while pool.queuedCount < 1 { await Task.yield() }
        waiting.cancel()
        gate.open()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        // The pool still works, and the cancelled job never ran.
        #expect(try await pool.run { 7 } == 7)
        #expect(!ran.isSet)
    }

    @Test func shutdownRefusesNewWorkButFinishesQueuedWork() async throws {
        let pool = BlockingWorkerPool(name: "test", threads: 1, maxQueued: 4)
        let gate = Gate()
        try pool.submit { gate.wait() }
        while pool.queuedCount > 0 { await Task.yield() }
        let queued = Task { try await pool.run { 42 } }
        while pool.queuedCount < 1 { await Task.yield() }
        pool.shutdown()
        pool.shutdown()   // idempotent
        await #expect(throws: BlockingWorkerPool.Rejection.shutDown) { try await pool.run { 1 } }
        gate.open()
        #expect(try await queued.value == 42)
    }
}

final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
