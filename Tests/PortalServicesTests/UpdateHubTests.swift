import PortalRPC
@testable import PortalServices
import Testing

@Suite struct UpdateHubTests {
    /// A queue watcher that falls behind is cut off and told so, never fed with silent gaps.
    @Test func aQueueWatcherThatFallsBehindIsCutOff() async throws {
        let hub = UpdateHub()
        let (slow, cancelSlow, slowOverflowed) = hub.watchQueue()
        let (fast, cancelFast, fastOverflowed) = hub.watchQueue()
        defer { cancelSlow(); cancelFast() }
        let notice = UpdateHub.QueueNotice(kind: .new, complaint: Portal_V1_Complaint(), at: 0)
        // The fast watcher drains as it goes; the slow one reads nothing.
        var fastIterator = fast.makeAsyncIterator()
        for _ in 0..<(UpdateHub.queueBacklog + 10) {
            hub.publishQueue([notice])
            #expect(await fastIterator.next() != nil)
        }
        #expect(slowOverflowed())
        #expect(!fastOverflowed())
        var delivered = 0
        for await _ in slow { delivered += 1 }  // the stream ends after what it buffered
        #expect(delivered == UpdateHub.queueBacklog)
    }
}
