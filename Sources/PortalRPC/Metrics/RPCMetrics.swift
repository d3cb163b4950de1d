import Synchronization

/// Per-method call counters and latency histograms, recorded by the server as each call
/// ends (see `ServerConnection.finish`). One lock, one dictionary update per call.
public final class RPCMetrics: Sendable {
    /// Upper bounds (seconds) of the latency buckets; `+Inf` is implied.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// One method's figures.
    public struct Series: Sendable, Hashable {
        /// Calls by status code.
        public var calls: [Status.Code: UInt64] = [:]
        /// Non-cumulative counts per bucket of `latencyBuckets`, plus one for `+Inf`.
        public var buckets = [UInt64](repeating: 0, count: RPCMetrics.latencyBuckets.count + 1)
        /// Calls with a recorded duration (the histogram's count) and their total seconds.
        public var count: UInt64 = 0
        public var sum: Double = 0
    }

    private let series = Mutex<[String: Series]>([:])

    public init() {}

    /// Records a finished call: its status and how long it took.
    public func record(method: String, code: Status.Code, duration: Duration) {
        let c = duration.components
        let seconds = Double(c.seconds) + Double(c.attoseconds) * 1e-18
        var bucket = Self.latencyBuckets.count
        for (i, bound) in Self.latencyBuckets.enumerated() where seconds <= bound {
            bucket = i
            break
        }
        series.withLock { all in
            all[method, default: Series()].add(code: code, bucket: bucket, seconds: seconds)
        }
    }

    /// Counts a call refused before its handler ran (no duration: it takes no histogram sample).
    public func recordRefused(method: String, code: Status.Code) {
        series.withLock { $0[method, default: Series()].calls[code, default: 0] += 1 }
    }

    /// A copy of every method's figures.
    public var snapshot: [String: Series] { series.withLock { $0 } }

    /// Prometheus text exposition (format 0.0.4) of the call counters and histograms, with
    /// `prefix` before each metric name (e.g. `portal_rpc_`).
    public func exposition(prefix: String) -> String {
        let all = snapshot.sorted { $0.key < $1.key }
        var out = PrometheusText()
        out.header("\(prefix)calls_total", type: "counter", help: "RPC calls finished, by method and status code.")
        for (method, s) in all {
            for (code, n) in s.calls.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                out.sample("\(prefix)calls_total", labels: ["method": method, "code": code.description], Double(n))
            }
        }
        out.header("\(prefix)call_duration_seconds", type: "histogram", help: "Time from CALL to STATUS, by method.")
        for (method, s) in all where s.count > 0 {
            var cumulative: UInt64 = 0
            for (i, n) in s.buckets.enumerated() {
                cumulative += n
                let le = i < Self.latencyBuckets.count ? PrometheusText.number(Self.latencyBuckets[i]) : "+Inf"
                out.sample("\(prefix)call_duration_seconds_bucket", labels: ["method": method, "le": le], Double(cumulative))
            }
            out.sample("\(prefix)call_duration_seconds_sum", labels: ["method": method], s.sum)
            out.sample("\(prefix)call_duration_seconds_count", labels: ["method": method], Double(s.count))
        }
        return out.text
    }
}

extension RPCMetrics.Series {
    mutating func add(code: Status.Code, bucket: Int, seconds: Double) {
        calls[code, default: 0] += 1
        buckets[bucket] += 1
        count += 1
        sum += seconds
    }
}

/// Builds Prometheus text exposition: HELP/TYPE headers and samples with escaped labels.
public struct PrometheusText: Sendable {
    public private(set) var text = ""

    public init() {}

    public mutating func header(_ name: String, type: String, help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    /// A sample line; labels are written sorted by name.
    public mutating func sample(_ name: String, labels: [String: String] = [:], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            text += labels.sorted { $0.key < $1.key }
                .map { "\($0.key)=\"\(Self.escapeLabel($0.value))\"" }
                .joined(separator: ",")
            text += "}"
        }
        text += " \(Self.number(value))\n"
    }

    /// A metric with a single unlabelled sample.
    public mutating func single(_ name: String, type: String, help: String, _ value: Double) {
        header(name, type: type, help: help)
        sample(name, value)
    }

    /// Label values escape backslash, double quote and newline.
    public static func escapeLabel(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// HELP text escapes backslash and newline.
    public static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences("\\", "\\\\").replacingOccurrences("\n", "\\n")
    }

    /// Integers without a decimal point; other values in Swift's shortest round-trip form.
    public static func number(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

private extension String {
    func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
