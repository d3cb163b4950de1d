#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Command-line options: a subcommand, then `--name value` pairs and bare `--flag`s.
struct Options: Sendable {
    private var values: [String: String] = [:]
    let command: String

    init(_ args: [String] = CommandLine.arguments) {
        var rest = args.dropFirst()
        command = rest.first.map { $0.hasPrefix("--") ? "" : $0 } ?? ""
        if !command.isEmpty { rest = rest.dropFirst() }
        var pending: String?
        for a in rest {
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

    func int(_ name: String, _ def: Int) -> Int { values[name].flatMap { Int($0) } ?? def }
    func double(_ name: String, _ def: Double) -> Double { values[name].flatMap { Double($0) } ?? def }
    func string(_ name: String, _ def: String) -> String { values[name] ?? def }
    func optionalString(_ name: String) -> String? { values[name] }
    func flag(_ name: String) -> Bool { values[name] == "true" }

    /// `--data DIR` (required by every subcommand that touches a store).
    var dataDirectory: String {
        guard let d = values["data"], !d.isEmpty else { fail("--data DIR is required") }
        return d
    }
}

/// Prints a line and flushes at once (stdout is a file or a pipe in every run).
func say(_ line: String) {
    print(line)
    fflush(nil)
}

func fail(_ message: String) -> Never {
    say("portal-bench: \(message)")
    fflush(nil)
    exit(2)
}

/// Monotonic nanoseconds.
@inline(__always)
func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Wall clock in Unix milliseconds (what the portal stores).
func unixMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

func fmt(_ x: Double, _ digits: Int) -> String {
    var buf = [CChar](repeating: 0, count: 64)
    _ = withVaList([x]) { vsnprintf(&buf, 64, "%.\(digits)f", $0) }
    return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Latency samples in nanoseconds; percentiles by the nearest-rank rule on the sorted samples.
struct Latencies: Sendable {
    var samples: [UInt64] = []

    mutating func add(_ ns: UInt64) { samples.append(ns) }
    mutating func merge(_ other: Latencies) { samples.append(contentsOf: other.samples) }

    /// (p50, p99, p99.9, max, mean) in milliseconds.
    func summary() -> (p50: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        guard !samples.isEmpty else { return (0, 0, 0, 0, 0) }
        let s = samples.sorted()
        func pct(_ p: Double) -> Double {
            let rank = Int((p * Double(s.count)).rounded(.up)) - 1
            return Double(s[min(s.count - 1, max(0, rank))]) / 1e6
        }
        let mean = Double(s.reduce(0, +)) / Double(s.count) / 1e6
        return (pct(0.50), pct(0.99), pct(0.999), Double(s.last!) / 1e6, mean)
    }
}

/// A counter shared by tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

/// A small deterministic PRNG (SplitMix64), so a data set is the same for the same seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
}

/// Picks indexes with given weights (cumulative table, binary search).
struct WeightedPicker: Sendable {
    let cumulative: [Double]
    init(_ weights: [Double]) {
        var sum = 0.0
        cumulative = weights.map { sum += $0; return sum }
    }
    func pick(_ rng: inout SplitMix) -> Int {
        let x = rng.unit() * cumulative.last!
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// Runs `body` on the cooperative pool and exits when it ends, with the main thread parked in
/// pause(): valgrind 3.19 crashes on a main thread parked in libdispatch's sigsuspend (which
/// an async `main` and `dispatchMain()` both do), see docs/PERFORMANCE-RPC.md.
func runDetached(_ body: @escaping @Sendable () async throws -> Void) -> Never {
    Task.detached {
        do {
            try await body()
            fflush(nil)
            exit(0)
        } catch {
            say("failed: \(error)")
            fflush(nil)
            exit(1)
        }
    }
    while true { pause() }
}

/// CPU seconds (user + system) this process has used so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// The 1-minute load average, for the record.
func loadAverage() -> String {
    guard let f = fopen("/proc/loadavg", "r") else { return "?" }
    defer { fclose(f) }
    var buf = [CChar](repeating: 0, count: 128)
    guard fgets(&buf, 128, f) != nil else { return "?" }
    let text = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// Reads a whole (small) text file, or nil.
func readTextFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: buf[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

func writeTextFile(_ path: String, _ text: String) {
    guard let f = fopen(path, "w") else { fail("cannot write \(path)") }
    defer { fclose(f) }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }
