@testable import PortalRPC
import Synchronization
import Testing

/// `InboundQueue` returns flow-control credit for what its reader consumed: in batches while
/// the reader works through buffered messages, and in full before the reader waits or the
/// queue ends, so a sender waiting for credit is never left waiting by a reader waiting for
/// messages. Every consumed or discarded byte is reported exactly once.
@Suite struct InboundQueueTests {
    final class Reports: Sendable {
        let list = Mutex<[Int]>([])
        var total: Int { list.withLock { $0.reduce(0, +) } }
        var count: Int { list.withLock { $0.count } }
        func add(_ n: Int) { list.withLock { $0.append(n) } }
    }

    @Test func bufferedMessagesAreReportedInBatchesAndInFullBeforeTheReaderWaits() async throws {
        let reports = Reports()
        let queue = InboundQueue { reports.add($0) }
        for _ in 0..<1000 { queue.push([UInt8](repeating: 7, count: 100)) }
        for _ in 0..<1000 { _ = try await queue.next() }
        // 100,000 bytes read: 6 batches of at least 16 KiB, not 1,000 reports.
        #expect(reports.count == 100_000 / InboundQueue.reportBatch)
        #expect(reports.list.withLock { $0.allSatisfy { $0 >= InboundQueue.reportBatch } })
        // The reader asks for more and has to wait: the rest is reported before it does.
        let reader = Task { try await queue.next() }
        for _ in 0..<2000 where reports.total < 100_000 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(reports.total == 100_000)
        queue.finish()
        #expect(try await reader.value == nil)
        #expect(reports.total == 100_000)
    }

    @Test func messagesHandedToAWaitingReaderAreReportedWhenItWaitsAgain() async throws {
        let reports = Reports()
        let queue = InboundQueue { reports.add($0) }
        for round in 1...3 {
            let reader = Task { try await queue.next() }
            // The previous round's ten bytes were below the batch when they were handed over;
            // the reader reports them before it waits (so from round 2 it is waiting now).
            for _ in 0..<2000 where reports.total < (round - 1) * 10 { try await Task.sleep(for: .milliseconds(1)) }
            #expect(reports.total == (round - 1) * 10)
            try await Task.sleep(for: .milliseconds(2))
            queue.push([UInt8](repeating: 1, count: 10))
            #expect(try await reader.value?.count == 10)
        }
        queue.finish()
        #expect(reports.total == 30)
    }

    @Test func whatIsLeftUnreadOrUnreportedIsReportedWhenTheQueueIsDiscardedOrDropped() async throws {
        let reports = Reports()
        let queue = InboundQueue { reports.add($0) }
        for _ in 0..<10 { queue.push([UInt8](repeating: 0, count: 1000)) }
        for _ in 0..<3 { _ = try await queue.next() }
        #expect(reports.total == 0)  // 3,000 bytes read, below the batch
        queue.discard(CancellationError())
        #expect(reports.total == 10_000)  // the 3,000 read and the 7,000 never read
        await #expect(throws: CancellationError.self) { try await queue.next() }

        let dropped = Reports()
        do {
            let other = InboundQueue { dropped.add($0) }
            for _ in 0..<4 { other.push([UInt8](repeating: 0, count: 500)) }
            _ = try await other.next()
        }
        #expect(dropped.total == 2000)  // deinit: 500 read and unreported, 1,500 never read
    }
}
