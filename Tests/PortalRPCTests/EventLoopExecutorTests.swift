#if canImport(Glibc)
import Glibc
#endif
@testable import PortalRPC
import Synchronization
import Testing

/// `EventLoop` as a `TaskExecutor`: jobs of tasks that prefer it run on the loop thread, and
/// once the loop has stopped they still run (on the global executor).
@Suite struct EventLoopExecutorTests {
    @Test func tasksPreferringALoopRunOnItsThread() async throws {
        let loop = try EventLoop(name: "test-loop")
        loop.start()
        defer { loop.stop() }
        let onLoop = await Task(executorPreference: loop) { loop.inLoop }.value
        #expect(onLoop)
        // Resumed from another thread (as a store thread resumes a handler): back on the loop.
        let resumedOnLoop = await Task(executorPreference: loop) { () async -> Bool in
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                Thread.detach { c.resume() }
            }
            return loop.inLoop
        }.value
        #expect(resumedOnLoop)
        // Inside withTaskExecutorPreference, nonisolated code runs on the loop; after it, not.
        let inside = await withTaskExecutorPreference(loop) { await Self.isOnLoop(loop) }
        #expect(inside)
        #expect(!loop.inLoop)
    }

    @Test func tasksOutlivingTheirLoopStillFinish() async throws {
        let loop = try EventLoop(name: "test-loop")
        loop.start()
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let parked = Task(executorPreference: loop) { () async -> Int in
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                gate.withLock { $0 = c }
            }
            return 7
        }
        while gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
        loop.stop()
        try await Task.sleep(for: .milliseconds(50))  // the loop thread has exited by now (usually)
        gate.withLock { $0!.resume() }
        #expect(await parked.value == 7)
        #expect(await Task(executorPreference: loop) { 8 }.value == 8)
    }

    /// A handler that keeps yielding (or a streaming handler whose writes never wait) resumes
    /// itself on the loop again and again. The loop must still get to its other work: here a
    /// closure another thread hands it, which is what ends the spinning. Before, the loop ran
    /// self-enqueued jobs until none was left, so only the watchdog ended the spin.
    @Test func aTaskThatKeepsYieldingDoesNotStarveItsLoop() async throws {
        let loop = try EventLoop(name: "test-loop")
        loop.start()
        defer { loop.stop() }
        final class Flags: Sendable {
            let stop = Atomic(false)
            let watchdogFired = Atomic(false)
        }
        let flags = Flags()
        let spinner = Task(executorPreference: loop) { () async -> Int in
            var spins = 0
            while !flags.stop.load(ordering: .relaxed) {
                await Task.yield()
                spins += 1
            }
            return spins
        }
        try await Task.sleep(for: .milliseconds(20))
        let watchdog = Task.detached {
            try await Task.sleep(for: .seconds(5))
            flags.watchdogFired.store(true, ordering: .relaxed)
            flags.stop.store(true, ordering: .relaxed)
        }
        let ranOnLoop = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            loop.execute {
                flags.stop.store(true, ordering: .relaxed)
                c.resume(returning: loop.inLoop)
            }
        }
        watchdog.cancel()
        let fired = flags.watchdogFired.load(ordering: .relaxed)
        #expect(ranOnLoop)
        #expect(!fired, "the loop ran nothing else while the task yielded")
        #expect(await spinner.value > 0)
    }

    private nonisolated static func isOnLoop(_ loop: EventLoop) async -> Bool { loop.inLoop }
}

/// A plain thread, so that a test resumes a continuation from outside the cooperative pool.
private enum Thread {
    static func detach(_ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        var tid = pthread_t()
        let raw = Unmanaged.passRetained(Box(body)).toOpaque()
        pthread_create(&tid, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, raw)
        pthread_detach(tid)
    }
}
