// The measuring part of portal-bench: calibrated loops, interleaved runs, medians.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PortalWire
import SwiftProtobuf

/// Consumes a value in a way the optimiser cannot see through, so encoded buffers and decoded
/// messages are really produced (and released) on every iteration.
@inline(never) @_optimize(none)
func blackHole<T>(_ value: T) {}

@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// One library's view of one row: its encoding of the row message, loops that encode or
/// decode it `n` times, and an equality check against a decode of foreign bytes.
struct Side {
    let encoded: [UInt8]
    let encodeLoop: (Int) -> Void
    let decodeLoop: (Int) -> Void
    /// Decodes `bytes` with this library and compares the result with this side's message.
    let decodesEqual: ([UInt8]) -> Bool
}

/// CitizenPortal: `serializedBytes() -> [UInt8]` and `init(serializedBytes: [UInt8])`.
func portalSide<M: ProtoMessage>(_ message: M) -> Side {
    let encoded = message.serializedBytes()
    return Side(
        encoded: encoded,
        encodeLoop: { n in
            for _ in 0..<n { blackHole(message.serializedBytes()) }
        },
        decodeLoop: { n in
            for _ in 0..<n { blackHole(try! M(serializedBytes: encoded)) }
        },
        decodesEqual: { bytes in
            guard let decoded = try? M(serializedBytes: bytes) else { return false }
            return decoded == message
        })
}

/// swift-protobuf: the same two calls, with `[UInt8]` as the byte container on both sides.
func swiftProtobufSide<M: SwiftProtobuf.Message & Equatable>(_ message: M) -> Side {
    let encoded: [UInt8] = try! message.serializedBytes()
    return Side(
        encoded: encoded,
        encodeLoop: { n in
            for _ in 0..<n {
                let bytes: [UInt8] = try! message.serializedBytes()
                blackHole(bytes)
            }
        },
        decodeLoop: { n in
            for _ in 0..<n { blackHole(try! M(serializedBytes: encoded)) }
        },
        decodesEqual: { bytes in
            guard let decoded = try? M(serializedBytes: bytes) else { return false }
            return decoded == message
        })
}

struct Row {
    /// Short id used by `--filter` and `--callgrind-once`.
    let id: String
    let title: String
    let ours: Side
    let swiftProtobuf: Side
    /// Reference loops timed in the same runs as the row's four (a floor no library can go
    /// below, e.g. the bare copy that any decoder of the row must make); not part of a ratio.
    var references: [Reference] = []
}

/// A loop that is not a library's encode or decode, timed alongside a row to put its
/// figures in proportion.
struct Reference {
    let id: String
    let title: String
    let loop: (Int) -> Void
}

/// The four timed loops of a row, in their order of the first run.
enum Op: Int, CaseIterable {
    case oursEncode, swiftProtobufEncode, oursDecode, swiftProtobufDecode

    var key: String {
        switch self {
        case .oursEncode: return "ours_encode"
        case .swiftProtobufEncode: return "swiftprotobuf_encode"
        case .oursDecode: return "ours_decode"
        case .swiftProtobufDecode: return "swiftprotobuf_decode"
        }
    }

    func loop(_ row: Row) -> (Int) -> Void {
        switch self {
        case .oursEncode: return row.ours.encodeLoop
        case .swiftProtobufEncode: return row.swiftProtobuf.encodeLoop
        case .oursDecode: return row.ours.decodeLoop
        case .swiftProtobufDecode: return row.swiftProtobuf.decodeLoop
        }
    }
}

struct Options {
    var runs = 7
    var minTimeMillis = 50.0
    var json = false
    var verbose = false
    var filters: [String] = []
    var callgrindRow: String?
    var callgrindIterations = 1
}

struct Measurement {
    let op: Op
    let iterations: Int
    /// ns/op of each run, in run order.
    var samples: [Double] = []

    var sorted: [Double] { samples.sorted() }
    var median: Double {
        let s = sorted
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { sorted.first! }
    var max: Double { sorted.last! }
}

struct RowResult {
    let row: Row
    var measurements: [Measurement]
    /// One per `row.references`, in order.
    var referenceSamples: [ReferenceMeasurement] = []

    func median(_ op: Op) -> Double { measurements[op.rawValue].median }
    var encodeRatio: Double { median(.swiftProtobufEncode) / median(.oursEncode) }
    var decodeRatio: Double { median(.swiftProtobufDecode) / median(.oursDecode) }
}

struct ReferenceMeasurement {
    let reference: Reference
    let iterations: Int
    var samples: [Double] = []

    var median: Double {
        let s = samples.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { samples.min()! }
    var max: Double { samples.max()! }
}

/// Nanoseconds `n` iterations of `loop` take.
func elapsed(_ loop: (Int) -> Void, _ n: Int) -> Double {
    let t0 = monotonicNanos()
    loop(n)
    return Double(monotonicNanos() - t0)
}

/// An iteration count whose run takes about `targetNanos`.
func calibrate(_ loop: (Int) -> Void, targetNanos: Double) -> Int {
    var n = 1
    while true {
        let t = elapsed(loop, n)
        if t >= targetNanos / 10 {
            return Swift.max(1, Int((Double(n) * targetNanos / t).rounded(.up)))
        }
        n *= t < targetNanos / 1000 ? 100 : 4
    }
}

/// Calibrates and warms up the four loops, then runs them `runs` times, interleaved: every
/// run times all four, and odd runs swap which library goes first.
func measure(_ row: Row, options: Options) -> RowResult {
    let target = options.minTimeMillis * 1_000_000
    var ms = Op.allCases.map { op in
        Measurement(op: op, iterations: calibrate(op.loop(row), targetNanos: target))
    }
    var refs = row.references.map { r in
        ReferenceMeasurement(reference: r, iterations: calibrate(r.loop, targetNanos: target))
    }
    for m in ms { _ = elapsed(m.op.loop(row), m.iterations) }  // warm-up run
    for r in refs { _ = elapsed(r.reference.loop, r.iterations) }
    let evenOrder: [Op] = [.oursEncode, .swiftProtobufEncode, .oursDecode, .swiftProtobufDecode]
    let oddOrder: [Op] = [.swiftProtobufEncode, .oursEncode, .swiftProtobufDecode, .oursDecode]
    for run in 0..<options.runs {
        for op in run % 2 == 0 ? evenOrder : oddOrder {
            let n = ms[op.rawValue].iterations
            ms[op.rawValue].samples.append(elapsed(op.loop(row), n) / Double(n))
        }
        for k in refs.indices {
            let n = refs[k].iterations
            refs[k].samples.append(elapsed(refs[k].reference.loop, n) / Double(n))
        }
    }
    return RowResult(row: row, measurements: ms, referenceSamples: refs)
}

// MARK: Correctness cross-check

/// Before anything is timed: each library decodes the other's bytes to a message equal to its
/// own, and both encodings have the same length (map order may differ, so bytes may not).
func crossCheck(_ row: Row) -> String? {
    if !row.ours.decodesEqual(row.swiftProtobuf.encoded) {
        return "\(row.id): CitizenPortal's decode of swift-protobuf's bytes differs from CitizenPortal's message"
    }
    if !row.swiftProtobuf.decodesEqual(row.ours.encoded) {
        return "\(row.id): swift-protobuf's decode of CitizenPortal's bytes differs from swift-protobuf's message"
    }
    if row.ours.encoded.count != row.swiftProtobuf.encoded.count {
        return "\(row.id): encoded sizes differ (\(row.ours.encoded.count) vs \(row.swiftProtobuf.encoded.count))"
    }
    return nil
}

// MARK: callgrind

// Distinctly named entry points, so valgrind's --toggle-collect can pick them out by pattern:
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*callgrindOursEncode*' ...
// Each runs its loop `callgrindIterations` times over the row chosen by --callgrind-once.
nonisolated(unsafe) var callgrindRow: Row?
nonisolated(unsafe) var callgrindIterations = 1

@inline(never) func callgrindOursEncode() { callgrindRow!.ours.encodeLoop(callgrindIterations) }
@inline(never) func callgrindSwiftProtobufEncode() { callgrindRow!.swiftProtobuf.encodeLoop(callgrindIterations) }
@inline(never) func callgrindOursDecode() { callgrindRow!.ours.decodeLoop(callgrindIterations) }
@inline(never) func callgrindSwiftProtobufDecode() { callgrindRow!.swiftProtobuf.decodeLoop(callgrindIterations) }
