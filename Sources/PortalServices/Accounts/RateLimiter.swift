import Synchronization

/// Counts failures per key (an account, a peer address) in a sliding window and locks the key
/// out once it reaches the limit. In memory: a restart forgets, which only gives an attacker
/// one more window; the per-account verification code attempts are also bounded in the store.
public final class RateLimiter: Sendable {
    public struct Policy: Sendable {
        public var maxFailures: Int
        public var windowMillis: Int64
        public init(maxFailures: Int, windowMillis: Int64) {
            self.maxFailures = maxFailures
            self.windowMillis = windowMillis
        }
    }

    private struct Entry {
        var failures: [Int64] = []
    }

    private let policy: Policy
    private let clock: any PortalClock
    private let entries = Mutex<[String: Entry]>([:])
    private let maxKeys = 100_000

    public init(policy: Policy, clock: any PortalClock) {
        self.policy = policy
        self.clock = clock
    }

    /// Throws RESOURCE_EXHAUSTED while `key` is locked out.
    public func check(_ key: String, what: String) throws(PortalError) {
        let now = clock.nowMillis()
        let locked = entries.withLock { e -> Bool in
            guard var entry = e[key] else { return false }
            entry.failures.removeAll { $0 <= now - policy.windowMillis }
            e[key] = entry.failures.isEmpty ? nil : entry
            return entry.failures.count >= policy.maxFailures
        }
        if locked { throw .resourceExhausted("too many failed \(what) attempts; try again later") }
    }

    public func recordFailure(_ key: String) {
        let now = clock.nowMillis()
        entries.withLock { e in
            if e.count >= maxKeys {
                // Bounded memory under a flood of keys: forget what has expired first, and only
                // if that is not enough, the oldest half.
                e = e.filter { $0.value.failures.last.map { $0 > now - policy.windowMillis } ?? false }
                if e.count >= maxKeys {
                    let keep = e.sorted { ($0.value.failures.last ?? 0) > ($1.value.failures.last ?? 0) }.prefix(maxKeys / 2)
                    e = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
                }
            }
            e[key, default: Entry()].failures.append(now)
            if e[key]!.failures.count > policy.maxFailures * 2 { e[key]!.failures.removeFirst() }
        }
    }

    public func reset(_ key: String) { _ = entries.withLock { $0.removeValue(forKey: key) } }
}
