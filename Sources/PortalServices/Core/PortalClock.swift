import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in Unix milliseconds. Services read time only through this, so tests (and
/// the server's dev mode) can move it: escalation after 15 and 22 days is tested in seconds.
public protocol PortalClock: Sendable {
    func nowMillis() -> Int64
}

public struct SystemClock: PortalClock {
    public init() {}
    public func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A clock that starts at real time and moves only forward, by `advance(by:)` on top of the
/// system clock.
public final class AdjustableClock: PortalClock {
    private let offset = Mutex<Int64>(0)
    private let base: any PortalClock

    public init(base: any PortalClock = SystemClock()) { self.base = base }

    public func nowMillis() -> Int64 { base.nowMillis() + offset.withLock { $0 } }

    public func advance(byDays days: Int) { advance(byMillis: Int64(days) * 86_400_000) }

    public func advance(byMillis ms: Int64) {
        precondition(ms >= 0, "the clock only moves forward")
        offset.withLock { $0 += ms }
    }
}

enum Millis {
    static let day: Int64 = 86_400_000
    static let hour: Int64 = 3_600_000
    static let minute: Int64 = 60_000
}
