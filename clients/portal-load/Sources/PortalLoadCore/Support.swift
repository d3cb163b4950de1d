#if canImport(Glibc)
import Glibc
#endif

// Small things the tool needs without Foundation: a monotonic clock, CPU time, number
// formatting, JSON, and /proc.

/// Nanoseconds on CLOCK_MONOTONIC.
@inline(__always)
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// User + system CPU time of this process, in nanoseconds.
public func processCPUNanos() -> UInt64 {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    func ns(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_usec) * 1000 }
    return ns(u.ru_utime) + ns(u.ru_stime)
}

/// Sleeps until `deadline` (monotonic ns); returns at once if it has passed or the task is
/// cancelled.
public func sleep(untilNanos deadline: UInt64) async {
    let now = monotonicNanos()
    guard deadline > now else { return }
    try? await Task.sleep(nanoseconds: deadline - now)
}

// MARK: Formatting

public enum Fmt {
    /// `x` with exactly `decimals` digits after the point (no exponent).
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let negative = x < 0
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9.0e18 else { return negative ? "-" + String(Int64(abs(x))) : String(Int64(abs(x))) }
        let n = UInt64(scaled)
        let s = UInt64(scale)
        var text = String(n / s)
        if decimals > 0 {
            var frac = String(n % s)
            while frac.count < decimals { frac = "0" + frac }
            text += "." + frac
        }
        return negative && n != 0 ? "-" + text : text
    }

    /// An integer with thousands separators: 1,234,567.
    public static func grouped(_ n: UInt64) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }

    public static func grouped(_ n: Int) -> String { n < 0 ? "-" + grouped(UInt64(-n)) : grouped(UInt64(n)) }

    /// A latency in microseconds, in the unit that keeps it short: 873us, 12.4ms, 1.23s.
    public static func micros(_ us: UInt64) -> String {
        if us < 1000 { return "\(us)us" }
        let ms = Double(us) / 1000
        if ms < 10 { return fixed(ms, 2) + "ms" }
        if ms < 1000 { return fixed(ms, 1) + "ms" }
        let s = ms / 1000
        return (s < 100 ? fixed(s, 2) : fixed(s, 0)) + "s"
    }

    /// Left- or right-aligns `text` in `width` columns.
    public static func pad(_ text: String, _ width: Int, right: Bool = true) -> String {
        let n = text.count
        guard n < width else { return text }
        let fill = String(repeating: " ", count: width - n)
        return right ? fill + text : text + fill
    }

    public static func bytes(_ n: UInt64) -> String {
        if n < 1 << 20 { return fixed(Double(n) / 1024, 1) + " KiB" }
        if n < 1 << 30 { return fixed(Double(n) / 1048576, 1) + " MiB" }
        return fixed(Double(n) / 1073741824, 2) + " GiB"
    }
}

// MARK: JSON

/// A JSON value, written compactly or indented. Keys keep their insertion order.
public indirect enum JSON: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public func render(indent: Int = 0, step: Int = 2) -> String {
        var out = ""
        write(into: &out, indent: indent, step: step)
        return out
    }

    private func write(into out: inout String, indent: Int, step: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d):
            if d.isFinite {
                out += d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : Fmt.fixed(d, 3)
            } else {
                out += "null"
            }
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                out += i == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: indent + step)
                item.write(into: &out, indent: indent + step, step: step)
            }
            out += "\n" + String(repeating: " ", count: indent) + "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                out += i == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: indent + step)
                JSON.quote(key, into: &out)
                out += ": "
                value.write(into: &out, indent: indent + step, step: step)
            }
            out += "\n" + String(repeating: " ", count: indent) + "}"
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = Array("0123456789abcdef")
                    out += "\\u00" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 15)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

// MARK: Files

public enum Files {
    /// The whole file from `offset`, or nil when it cannot be opened.
    public static func read(_ path: String, from offset: Int = 0) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if offset > 0 && lseek(fd, off_t(offset), SEEK_SET) < 0 { return nil }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Size in bytes, or nil when the file does not exist.
    public static func size(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isReadable(_ path: String) -> Bool { access(path, R_OK) == 0 }
}

/// A few figures of another local process from /proc (Linux only), for `--server-pid`.
public struct ProcessSample: Sendable {
    public var cpuNanos: UInt64
    public var rssBytes: UInt64
    public var hwmBytes: UInt64
    public var threads: Int
    public var fds: Int

    public static func take(pid: Int32) -> ProcessSample? {
        guard let stat = Files.read("/proc/\(pid)/stat"), let status = Files.read("/proc/\(pid)/status") else { return nil }
        let statText = String(decoding: stat, as: UTF8.self)
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        guard let close = statText.lastIndex(of: ")") else { return nil }
        let fields = statText[statText.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = UInt64(fields[11]), let stime = UInt64(fields[12]) else { return nil }
        let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        var sample = ProcessSample(cpuNanos: (utime + stime) * 1_000_000_000 / ticks, rssBytes: 0, hwmBytes: 0, threads: 0, fds: 0)
        for line in String(decoding: status, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2 else { continue }
            switch parts[0] {
            case "VmRSS:": sample.rssBytes = (UInt64(parts[1]) ?? 0) * 1024
            case "VmHWM:": sample.hwmBytes = (UInt64(parts[1]) ?? 0) * 1024
            case "Threads:": sample.threads = Int(parts[1]) ?? 0
            default: break
            }
        }
        if let dir = opendir("/proc/\(pid)/fd") {
            var n = 0
            while readdir(dir) != nil { n += 1 }
            closedir(dir)
            sample.fds = max(0, n - 2)
        }
        return sample
    }
}

/// SplitMix64: a small, fast, seedable generator for the mix and for picking citizens.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// 64 random bits from the system generator (getrandom(2)).
public func randomSeed() -> UInt64 {
    var g = SystemRandomNumberGenerator()
    return g.next()
}

/// Writes `text` and a newline straight to a file descriptor (1 or 2): unbuffered, so progress
/// lines appear at once through a pipe, and no shared C `FILE` is touched.
public func writeLine(_ text: String, to fd: Int32 = 1) {
    var bytes = Array(text.utf8)
    bytes.append(UInt8(ascii: "\n"))
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 {
            if errno == EINTR { continue }
            return
        }
        offset += n
    }
}
