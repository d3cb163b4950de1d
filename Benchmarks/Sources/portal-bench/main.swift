// portal-bench: encode/decode ns/op of CitizenPortal's protobuf runtime against
// apple/swift-protobuf 1.39.0, side by side, from one process run.
//
//   swift run -c release --scratch-path ../.build-bench portal-bench [options]
//
//   --runs N              timed runs per loop (default 7); the median is reported
//   --min-time-ms MS      target duration of one run (default 50); sets iteration counts
//   --filter ID           only rows whose id or title contains ID (repeatable)
//   --json                machine-readable output (every sample included)
//   --verbose             also print min/max of every loop
//   --list                print the row ids
//   --callgrind-once ROW  no timing: warm up, then run each of the four loops of ROW once
//                         (or --iterations K times) through distinctly named functions, for
//                         valgrind --tool=callgrind (see scripts/callgrind.sh)
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func makeRows() -> [Row] {
    [
        Row(id: "alltypes", title: "TestAllTypesProto3, 7 fields",
            ours: portalSide(PortalAllTypesFixtures.sevenFields()),
            swiftProtobuf: swiftProtobufSide(SwiftProtobufFixtures.sevenFields())),
        Row(id: "packed-int32", title: "packed int32 ×1000",
            ours: portalSide(PortalAllTypesFixtures.packedInt32()),
            swiftProtobuf: swiftProtobufSide(SwiftProtobufFixtures.packedInt32())),
        Row(id: "strings", title: "repeated string ×100",
            ours: portalSide(PortalAllTypesFixtures.strings()),
            swiftProtobuf: swiftProtobufSide(SwiftProtobufFixtures.strings()),
            references: References.makeStrings(PortalAllTypesFixtures.strings()) + [References.emptyAllTypes]),
        Row(id: "bytes-64k", title: "bytes 64 KiB",
            ours: portalSide(PortalAllTypesFixtures.blob()),
            swiftProtobuf: swiftProtobufSide(SwiftProtobufFixtures.blob()),
            references: [References.encode64KiB, References.decode64KiB(PortalAllTypesFixtures.blob().serializedBytes()),
                         References.emptyAllTypes]),
        Row(id: "complaint", title: "Complaint (portal.v1)",
            ours: portalSide(PortalComplaintFixture.make()),
            swiftProtobuf: swiftProtobufSide(SwiftProtobufFixtures.complaint())),
    ]
}

func printError(_ message: String) {
    let line = "portal-bench: \(message)\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
}

func fail(_ message: String) -> Never {
    printError(message)
    exit(2)
}

func parseOptions(_ args: [String]) -> (Options, list: Bool) {
    var o = Options()
    var list = false
    var i = 0
    func value(_ flag: String) -> String {
        i += 1
        guard i < args.count else { fail("\(flag) needs a value") }
        return args[i]
    }
    while i < args.count {
        let a = args[i]
        switch a {
        case "--runs":
            guard let n = Int(value(a)), n >= 1 else { fail("--runs needs a positive integer") }
            o.runs = n
        case "--min-time-ms":
            guard let t = Double(value(a)), t > 0 else { fail("--min-time-ms needs a positive number") }
            o.minTimeMillis = t
        case "--filter": o.filters.append(value(a))
        case "--json": o.json = true
        case "--verbose": o.verbose = true
        case "--list": list = true
        case "--callgrind-once": o.callgrindRow = value(a)
        case "--iterations":
            guard let n = Int(value(a)), n >= 1 else { fail("--iterations needs a positive integer") }
            o.callgrindIterations = n
        case "-h", "--help":
            print("usage: portal-bench [--runs N] [--min-time-ms MS] [--filter ID]... [--json] [--verbose] [--list]")
            print("       portal-bench --callgrind-once ROW [--iterations K]")
            exit(0)
        default: fail("unknown option \(a) (try --help)")
        }
        i += 1
    }
    return (o, list)
}

func pad(_ s: String, _ width: Int, right: Bool = true) -> String {
    let n = s.count
    if n >= width { return s }
    let fill = String(repeating: " ", count: width - n)
    return right ? fill + s : s + fill
}

func fmt(_ v: Double, _ decimals: Int) -> String {
    var p = 1.0
    for _ in 0..<decimals { p *= 10 }
    let r = (v * p).rounded() / p
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let have = s.distance(from: dot, to: s.endIndex) - 1
        if decimals == 0 { s = String(s[..<dot]) } else if have < decimals {
            s += String(repeating: "0", count: decimals - have)
        }
    }
    return s
}

func ns(_ v: Double) -> String { v >= 100 ? fmt(v, 0) : fmt(v, 1) }

func jsonString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}

let (options, listOnly) = parseOptions(Array(CommandLine.arguments.dropFirst()))
let allRows = makeRows()

if listOnly {
    for r in allRows { print("\(pad(r.id, 14, right: false)) \(r.title)") }
    exit(0)
}

// Correctness before speed: a row whose libraries disagree is never timed.
for row in allRows {
    if let problem = crossCheck(row) { fail("cross-check failed: \(problem)") }
}

if let wanted = options.callgrindRow {
    guard let row = allRows.first(where: { $0.id == wanted }) else {
        fail("no row \(wanted); rows: \(allRows.map(\.id).joined(separator: ", "))")
    }
    callgrindRow = row
    callgrindIterations = options.callgrindIterations
    // Warm-up outside the collected functions: lazy globals, type metadata, malloc arenas.
    for op in Op.allCases { op.loop(row)(2) }
    callgrindOursEncode()
    callgrindSwiftProtobufEncode()
    callgrindOursDecode()
    callgrindSwiftProtobufDecode()
    print("ran \(row.id) ×\(options.callgrindIterations) per loop")
    exit(0)
}

let rows = options.filters.isEmpty ? allRows : allRows.filter { r in
    options.filters.contains { f in r.id.contains(f) || r.title.lowercased().contains(f.lowercased()) }
}
if rows.isEmpty { fail("no row matches \(options.filters)") }

#if DEBUG
printError("WARNING: debug build; figures are meaningless (use -c release)")
#endif

var results: [RowResult] = []
if !options.json {
    print("portal-bench: \(options.runs) runs of ≥\(fmt(options.minTimeMillis, 0)) ms per loop, interleaved; median ns/op")
    print("ratio = swift-protobuf ns / CitizenPortal ns (higher is better for CitizenPortal)")
    print("")
    print(pad("row", 30, right: false) + pad("bytes", 7) + pad("ours enc", 11) + pad("swpb enc", 11) + pad("ratio", 8)
        + pad("ours dec", 11) + pad("swpb dec", 11) + pad("ratio", 8))
}
for row in rows {
    let r = measure(row, options: options)
    results.append(r)
    if !options.json {
        print(pad(row.title, 30, right: false) + pad(String(row.ours.encoded.count), 7)
            + pad(ns(r.median(.oursEncode)), 11) + pad(ns(r.median(.swiftProtobufEncode)), 11)
            + pad(fmt(r.encodeRatio, 2) + "×", 8)
            + pad(ns(r.median(.oursDecode)), 11) + pad(ns(r.median(.swiftProtobufDecode)), 11)
            + pad(fmt(r.decodeRatio, 2) + "×", 8))
        if options.verbose {
            for m in r.measurements {
                print("    \(pad(m.op.key, 22, right: false)) n=\(m.iterations) median \(ns(m.median)) min \(ns(m.min)) max \(ns(m.max))")
            }
        }
        for ref in r.referenceSamples {
            var line = "    reference: \(ref.reference.title): \(ns(ref.median)) ns"
            if options.verbose { line += " (n=\(ref.iterations) min \(ns(ref.min)) max \(ns(ref.max)))" }
            print(line)
        }
    }
}

if options.json {
    var out = "{\n  \"runs\": \(options.runs),\n  \"min_time_ms\": \(options.minTimeMillis),\n  \"unit\": \"ns/op\",\n  \"rows\": [\n"
    for (i, r) in results.enumerated() {
        out += "    {\"id\": \(jsonString(r.row.id)), \"title\": \(jsonString(r.row.title)), \"bytes\": \(r.row.ours.encoded.count)"
        for m in r.measurements {
            out += ",\n     \"\(m.op.key)\": {\"median\": \(m.median), \"min\": \(m.min), \"max\": \(m.max), \"iterations\": \(m.iterations), \"samples\": [\(m.samples.map { String($0) }.joined(separator: ", "))]}"
        }
        for ref in r.referenceSamples {
            out += ",\n     \"reference_\(ref.reference.id)\": {\"title\": \(jsonString(ref.reference.title)), \"median\": \(ref.median), \"min\": \(ref.min), \"max\": \(ref.max), \"iterations\": \(ref.iterations), \"samples\": [\(ref.samples.map { String($0) }.joined(separator: ", "))]}"
        }
        out += ",\n     \"encode_ratio\": \(r.encodeRatio), \"decode_ratio\": \(r.decodeRatio)}"
        out += i == results.count - 1 ? "\n" : ",\n"
    }
    out += "  ]\n}"
    print(out)
}
