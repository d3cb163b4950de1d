#if canImport(Glibc)
import Glibc
#endif

/// Command-line options: `--name value` pairs and bare `--flag`s.
public struct Options: Sendable {
    private var values: [String: String] = [:]
    public let command: String

    public init(_ args: [String] = CommandLine.arguments) {
        var rest = args.dropFirst()
        command = rest.first.map { $0.hasPrefix("--") ? "" : $0 } ?? ""
        if !command.isEmpty { rest = rest.dropFirst() }
        var it = rest.makeIterator()
        var pending: String?
        while let a = it.next() {
            if a.hasPrefix("--") {
                if let p = pending { values[p] = "true" }
                pending = String(a.dropFirst(2))
            } else if let p = pending {
                values[p] = a
                pending = nil
            }
        }
        if let p = pending { values[p] = "true" }
    }

    public func int(_ name: String, _ def: Int) -> Int { values[name].flatMap { Int($0) } ?? def }
    public func double(_ name: String, _ def: Double) -> Double { values[name].flatMap { Double($0) } ?? def }
    public func string(_ name: String, _ def: String) -> String { values[name] ?? def }
    public func flag(_ name: String) -> Bool { values[name] == "true" }
}

/// The text of every echo request: the encoded EchoRequest is 14 bytes, as is the C echo's payload.
public let benchText = "hello, world"

/// Monotonic nanoseconds (CLOCK_MONOTONIC, as the C client uses).
@inline(__always)
public func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// The measurement window: work before `measureAt` is warm-up; nothing after `end` counts.
public struct Window: Sendable {
    public let measureAt: UInt64
    public let end: UInt64

    public init(warmup: Double, seconds: Double) {
        let start = nowNanos()
        measureAt = start + UInt64(warmup * 1e9)
        end = measureAt + UInt64(seconds * 1e9)
    }

    @inline(__always) public func counts(_ t: UInt64) -> Bool { t >= measureAt && t < end }
    public var seconds: Double { Double(end - measureAt) / 1e9 }
}

/// What one closed-loop worker (one call in flight) did inside the window.
public struct WorkerResult: Sendable {
    public var completed = 0
    public var latencies: [UInt32] = []
    public var errors: [String: Int] = [:]

    public init() { latencies.reserveCapacity(1 << 16) }

    @inline(__always)
    public mutating func record(start: UInt64, end: UInt64, in window: Window) {
        guard window.counts(end) else { return }
        completed += 1
        let ns = end - start
        latencies.append(ns > UInt64(UInt32.max) ? UInt32.max : UInt32(ns))
    }

    /// One streamed message received at `t` (no latency: messages arrive back to back).
    @inline(__always)
    public mutating func countMessage(at t: UInt64, in window: Window) {
        if window.counts(t) { completed += 1 }
    }

    public mutating func merge(_ other: WorkerResult) {
        completed += other.completed
        latencies.append(contentsOf: other.latencies)
        for (k, v) in other.errors { errors[k, default: 0] += v }
    }

    public mutating func fail(_ error: any Error) {
        errors["\(error)", default: 0] += 1
    }
}

/// Runs a closed-loop unary benchmark: `workers` tasks, each calling `call(worker)` back to back
/// until the window ends. Worker w belongs to connection w / depth.
/// `executor(w)`, if given, is the executor worker `w` prefers (nil: the cooperative pool).
public func closedLoop(
    workers: Int, window: Window, executor: (Int) -> (any TaskExecutor)? = { _ in nil },
    _ call: @escaping @Sendable (Int) async throws -> Void
) async -> [WorkerResult] {
    await withTaskGroup(of: WorkerResult.self) { group in
        for w in 0..<workers {
            group.addTask(executorPreference: executor(w)) {
                var r = WorkerResult()
                while true {
                    let t0 = nowNanos()
                    if t0 >= window.end { break }
                    do {
                        try await call(w)
                        r.record(start: t0, end: nowNanos(), in: window)
                    } catch {
                        r.fail(error)
                        if r.errors.values.reduce(0, +) > 100_000 { break }
                        try? await Task.sleep(for: .milliseconds(1))
                    }
                }
                return r
            }
        }
        var all: [WorkerResult] = []
        for await r in group { all.append(r) }
        return all
    }
}

/// Prints the one RESULT line the driver parses (same format as c-echo/echo_client.c).
public func printResult(_ results: [WorkerResult], window: Window, extraCount: Int? = nil) {
    var lat: [UInt32] = []
    lat.reserveCapacity(results.reduce(0) { $0 + $1.latencies.count })
    var errors: [String: Int] = [:]
    var completed = 0
    for r in results {
        lat.append(contentsOf: r.latencies)
        completed += r.completed
        for (k, v) in r.errors { errors[k, default: 0] += v }
    }
    if let extraCount { completed = extraCount }
    lat.sort()
    func pct(_ p: Double) -> Double {
        lat.isEmpty ? 0 : Double(lat[min(lat.count - 1, Int(Double(lat.count) * p))]) / 1000
    }
    let secs = window.seconds
    let errorCount = errors.values.reduce(0, +)
    print("RESULT calls=\(completed) secs=\(fmt(secs, 3)) rps=\(fmt(Double(completed) / secs, 0)) "
          + "p50_us=\(fmt(pct(0.5), 1)) p99_us=\(fmt(pct(0.99), 1)) errors=\(errorCount)")
    for (k, v) in errors.sorted(by: { $0.value > $1.value }).prefix(10) {
        print("ERROR count=\(v) \(k)")
    }
}

public func fmt(_ x: Double, _ digits: Int) -> String {
    var buf = [CChar](repeating: 0, count: 64)
    _ = withVaList([x]) { vsnprintf(&buf, 64, "%.\(digits)f", $0) }
    return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Blocks the calling thread forever (servers run until the driver kills them).
public func parkForever() -> Never {
    while true { pause() }
}

/// Runs `body` on the cooperative pool and exits when it ends, the main thread parked in
/// pause(). Unlike an async `main`, this never parks the main thread in libdispatch's
/// sigsuspend, which valgrind 3.19 crashes on ("VALGRIND INTERNAL ERROR ... SIGSEGV").
public func runDetached(_ body: @escaping @Sendable () async throws -> Void) -> Never {
    Task.detached {
        do {
            try await body()
            fflush(nil)
            exit(0)
        } catch {
            print("failed: \(error)")
            fflush(nil)
            exit(1)
        }
    }
    parkForever()
}
