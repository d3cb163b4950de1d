import Synchronization

/// A FIFO of work items for the store's threads: producers (any thread or task) append under a
/// `Mutex` and never block; consumers (the store's own threads) sleep on a semaphore.
///
/// The semaphore counts posted items. `pop(max:)` takes up to `max` items at once and then
/// consumes the extra posts it can; a post it misses only causes one empty wake-up later, so
/// an item is never left waiting while its consumer sleeps.
final class WorkQueue<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        /// Index of the first item not yet taken (compacted lazily).
        var head = 0
        var closed = false

        var count: Int { items.count - head }
    }

    private let state = Mutex(State())
    private let signal = Semaphore()

    /// Appends `item`; throws `.closed` once `close()` has been called.
    func push(_ item: Item) throws(StoreError) {
        let accepted = state.withLock { state in
            guard !state.closed else { return false }
            state.items.append(item)
            return true
        }
        guard accepted else { throw StoreError.closed }
        signal.post()
    }

    /// Waits for work and takes up to `max` items (in order). Returns nil once the queue is
    /// closed and empty: items queued before `close()` are still handed out.
    func pop(max: Int) -> [Item]? {
        while true {
            signal.wait()
            let taken: [Item]? = state.withLock { state in
                let available = state.count
                guard available > 0 else { return state.closed ? nil : [] }
                let count = min(max, available)
                let batch = Array(state.items[state.head..<state.head + count])
                state.head += count
                if state.head == state.items.count {
                    state.items.removeAll(keepingCapacity: true)
                    state.head = 0
                } else if state.head >= 1024 && state.head * 2 >= state.items.count {
                    state.items.removeFirst(state.head)
                    state.head = 0
                }
                return batch
            }
            guard let taken else {
                signal.post()  // pass the closing wake-up on to the next consumer
                return nil
            }
            if taken.isEmpty { continue }  // a post whose item an earlier pop already took
            // Consume the posts of the extra items taken; one not made yet (its producer is
            // between append and post) only causes an empty wake-up later.
            for _ in 1..<taken.count {
                guard signal.tryWait() else { break }
            }
            return taken
        }
    }

    /// Rejects further pushes and wakes the consumers; they drain what is queued, then stop.
    func close() {
        state.withLock { $0.closed = true }
        signal.post()
    }

    /// Items waiting (not yet taken by a consumer).
    var count: Int {
        state.withLock { $0.count }
    }
}
