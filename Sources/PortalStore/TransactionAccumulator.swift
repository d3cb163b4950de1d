/// State that writes record during a transaction and that is written to the database once,
/// just before the transaction commits: counters that every write of a group commit bumps are
/// then updated once per batch instead of once per write.
///
/// The connection keeps the accumulator in step with its savepoints: `savepointBegan` and
/// `savepointEnded(kept:)` bracket every `Database.savepoint` (so also every write item of a
/// group commit), and what was recorded inside a savepoint that rolls back must be dropped
/// with it. `flush` runs inside the transaction before COMMIT (`Database.transaction`, the
/// store's group commit, or the outermost `savepoint` opened outside a transaction); if it
/// throws, the transaction fails. `discard` runs when the transaction ends without it.
///
/// Readers never see a transaction before its flush: everything a committed write recorded
/// is in the database when its commit becomes visible.
public protocol TransactionAccumulator: AnyObject {
    /// A savepoint opened inside the transaction.
    func savepointBegan()
    /// The innermost open savepoint ended: `kept` if released, false if rolled back.
    func savepointEnded(kept: Bool)
    /// Writes everything kept so far, then starts empty.
    func flush(_ db: Database) throws
    /// Forgets everything (the transaction rolled back).
    func discard()
}

extension Database {
    /// Records into this connection's accumulator of type `A`, creating it with `make(depth)`
    /// on first use (`depth`: how many savepoints are open now, which the new accumulator must
    /// treat as already begun). Outside a transaction the record is flushed at once.
    public func accumulate<A: TransactionAccumulator>(
        _ type: A.Type, make: (_ openSavepoints: Int) -> A, _ record: (A) -> Void
    ) throws {
        let key = ObjectIdentifier(type)
        let accumulator: A
        if let existing = accumulators[key] as? A {
            accumulator = existing
        } else {
            accumulator = make(openSavepoints)
            accumulators[key] = accumulator
        }
        record(accumulator)
        if !isInTransaction { try accumulator.flush(self) }
    }

    /// Before COMMIT: writes what every accumulator holds.
    func flushAccumulators() throws {
        for accumulator in accumulators.values { try accumulator.flush(self) }
    }

    /// After a rollback of the whole transaction.
    func discardAccumulators() {
        for accumulator in accumulators.values { accumulator.discard() }
    }
}

/// A `TransactionAccumulator` of sums by key: writes add to a key's count, and `write` gets
/// the non-zero totals of the transaction once, before COMMIT.
public final class TransactionCounters<Key: Hashable>: TransactionAccumulator {
    /// One dictionary per open savepoint on top of the transaction's own (index 0).
    private var levels: [[Key: Int64]]
    private let write: (Database, [Key: Int64]) throws -> Void

    public init(openSavepoints: Int, write: @escaping (Database, [Key: Int64]) throws -> Void) {
        levels = Array(repeating: [:], count: openSavepoints + 1)
        self.write = write
    }

    public func add(_ amount: Int64, to key: Key) {
        levels[levels.count - 1][key, default: 0] += amount
    }

    public func savepointBegan() {
        levels.append([:])
    }

    public func savepointEnded(kept: Bool) {
        guard levels.count > 1 else { return }
        let top = levels.removeLast()
        if kept {
            levels[levels.count - 1].merge(top, uniquingKeysWith: +)
        }
    }

    public func flush(_ db: Database) throws {
        var totals: [Key: Int64] = [:]
        for level in levels {
            totals.merge(level, uniquingKeysWith: +)
        }
        totals = totals.filter { $0.value != 0 }
        for index in levels.indices { levels[index].removeAll(keepingCapacity: true) }
        if !totals.isEmpty { try write(db, totals) }
    }

    public func discard() {
        levels = [[:]]
    }
}
