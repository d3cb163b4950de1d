import PortalRPC
import Synchronization

/// Outcome slots: the 17 gRPC status codes by number, then errors that are not a status
/// (should not happen: the client maps every failure to an RPCError).
public enum Outcome {
    public static let slots = 18
    public static let clientError = 17
    public static func name(_ slot: Int) -> String {
        slot == clientError ? "CLIENT_ERROR" : Status.Code(rawValue: slot).description
    }
    public static func slot(of error: any Error) -> Int {
        switch error {
        case let e as RPCError: return e.code.rawValue
        case is CancellationError: return Status.Code.cancelled.rawValue
        default: return clientError
        }
    }
}

/// Counts and latencies of one operation.
public struct OpTally: Sendable {
    public var latency = LatencyHistogram()
    /// Calls by outcome slot (0 = OK).
    public var outcomes = [UInt64](repeating: 0, count: Outcome.slots)

    public var calls: UInt64 { outcomes.reduce(0, +) }
    public var ok: UInt64 { outcomes[0] }
    public var errors: UInt64 { calls - ok }

    public mutating func merge(_ o: OpTally) {
        latency.merge(o.latency)
        for i in outcomes.indices { outcomes[i] += o.outcomes[i] }
    }
}

/// What the per-second line shows.
public struct IntervalTally: Sendable {
    public var latency = LatencyHistogram(significantDigits: 2)
    public var completed: UInt64 = 0
    public var errors: UInt64 = 0
    public var late: UInt64 = 0
    public var sendLag = LatencyHistogram(significantDigits: 2)

    mutating func merge(_ o: IntervalTally) {
        latency.merge(o.latency); sendLag.merge(o.sendLag)
        completed += o.completed; errors += o.errors; late += o.late
    }
}

/// Everything measured, in shards (one per connection, up to 8) so workers rarely contend.
public struct Totals: Sendable {
    public var ops = [OpTally](repeating: OpTally(), count: Operation.allCases.count)
    /// Open loop: how far behind its intended time each measured request was sent.
    public var sendLag = LatencyHistogram()
    public var sent: UInt64 = 0
    public var late: UInt64 = 0
    /// Of the late ones: no slot was free at the intended time.
    public var waitedForSlot: UInt64 = 0
    /// Calls completed during the warm-up (not in `ops`).
    public var warmupCalls: UInt64 = 0
    /// Monotonic ns of the last measured completion.
    public var lastCompletion: UInt64 = 0

    public var all: OpTally {
        var t = OpTally()
        for o in ops { t.merge(o) }
        return t
    }

    mutating func merge(_ o: Totals) {
        for i in ops.indices { ops[i].merge(o.ops[i]) }
        sendLag.merge(o.sendLag)
        sent += o.sent; late += o.late; waitedForSlot += o.waitedForSlot; warmupCalls += o.warmupCalls
        lastCompletion = max(lastCompletion, o.lastCompletion)
    }
}

final class StatsShard: Sendable {
    private struct State {
        var totals = Totals()
        var interval = IntervalTally()
    }
    private let state = Mutex(State())

    /// One finished call. `latencyNanos` runs from the intended (open loop) or actual (closed
    /// loop) send time to completion; `lagNanos` from the intended to the actual send time.
    func record(_ op: Operation, outcome: Int, latencyNanos: UInt64, lagNanos: UInt64?, late: Bool, waitedForSlot: Bool,
                measured: Bool, at now: UInt64) {
        let us = latencyNanos / 1000
        state.withLock { s in
            s.interval.completed += 1
            s.interval.latency.record(us)
            if outcome != 0 { s.interval.errors += 1 }
            if let lagNanos { s.interval.sendLag.record(lagNanos / 1000) }
            if late { s.interval.late += 1 }
            guard measured else {
                s.totals.warmupCalls += 1
                return
            }
            s.totals.ops[op.rawValue].latency.record(us)
            s.totals.ops[op.rawValue].outcomes[outcome] += 1
            if let lagNanos {
                s.totals.sendLag.record(lagNanos / 1000)
                s.totals.sent += 1
                if late { s.totals.late += 1 }
                if waitedForSlot { s.totals.waitedForSlot += 1 }
            }
            if now > s.totals.lastCompletion { s.totals.lastCompletion = now }
        }
    }

    func takeInterval() -> IntervalTally {
        state.withLock { s in
            let i = s.interval
            s.interval = IntervalTally()
            return i
        }
    }

    func totals() -> Totals { state.withLock { $0.totals } }
}

/// Per-second figures of one interval, kept for the JSON report.
public struct IntervalSample: Sendable {
    public var second: Int
    public var warmup: Bool
    /// Seconds this sample covers (1, except the last, partial one).
    public var length: Double
    public var completed: UInt64
    public var errors: UInt64
    public var p50: UInt64
    public var p99: UInt64
    public var late: UInt64
    public var dropped: UInt64
    public var inflight: Int
    public var watchMessages: UInt64
    public var clientCPU: Double
    public var server: ProcessSample?
    public var serverCPU: Double?
}
