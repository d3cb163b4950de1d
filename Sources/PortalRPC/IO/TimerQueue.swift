/// Deadlines of one event loop in a binary min-heap; cancelled timers are skipped lazily.
struct TimerQueue {
    struct ID: Hashable { let raw: UInt64 }

    private struct Entry {
        var deadline: ContinuousClock.Instant
        var id: UInt64
    }

    private var heap: [Entry] = []
    private var bodies: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 0

    mutating func add(deadline: ContinuousClock.Instant, _ body: @escaping () -> Void) -> ID {
        nextID += 1
        bodies[nextID] = body
        heap.append(Entry(deadline: deadline, id: nextID))
        siftUp(heap.count - 1)
        return ID(raw: nextID)
    }

    mutating func cancel(_ id: ID) { bodies[id.raw] = nil }

    /// epoll_wait's timeout: -1 with no timers, else milliseconds rounded up.
    mutating func millisecondsUntilNext(now: ContinuousClock.Instant) -> Int32 {
        while let top = heap.first, bodies[top.id] == nil { popTop() }
        guard let top = heap.first else { return -1 }
        if top.deadline <= now { return 0 }
        let (s, atto) = (top.deadline - now).components
        let ms = s * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }

    /// Removes and returns the bodies of every timer whose deadline has passed. The caller
    /// runs them afterwards: a body may add or cancel timers.
    mutating func popDue(now: ContinuousClock.Instant) -> [() -> Void] {
        var due: [() -> Void] = []
        while let top = heap.first, top.deadline <= now {
            popTop()
            if let body = bodies.removeValue(forKey: top.id) { due.append(body) }
        }
        return due
    }

    private mutating func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].deadline < heap[parent].deadline else { return }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < heap.count && heap[l].deadline < heap[smallest].deadline { smallest = l }
            if r < heap.count && heap[r].deadline < heap[smallest].deadline { smallest = r }
            if smallest == i { return }
            heap.swapAt(i, smallest)
            i = smallest
        }
    }
}
