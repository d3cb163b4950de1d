import Synchronization

/// The statistics the store's threads update, shared with `Store.statistics`.
final class StoreCounters: Sendable {
    private let value = Mutex(StoreStatistics())

    func update(_ change: (inout StoreStatistics) -> Void) {
        value.withLock { change(&$0) }
    }

    var snapshot: StoreStatistics {
        value.withLock { $0 }
    }
}

/// A value one thread hands to another exactly once (a store thread reporting whether its
/// connection opened). The receiver blocks; used only during `Store.init`.
final class Handoff<Value: Sendable>: Sendable {
    private let value = Mutex<Result<Value, any Error>?>(nil)
    private let ready = Semaphore()

    func send(_ result: Result<Value, any Error>) {
        value.withLock { $0 = result }
        ready.post()
    }

    func receive() -> Result<Value, any Error> {
        ready.wait()
        return value.withLock { $0! }
    }
}
