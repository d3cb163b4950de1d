#if canImport(Glibc)
import Glibc
#endif

/// Rendering one record as one line (with its newline), in either format. Runs on the
/// logger's thread, never where the line was logged.
extension LogRecord {
    func line(_ format: LogFormat) -> String {
        switch format {
        case .text: textLine()
        case .json: jsonLine()
        }
    }

    /// `2026-01-15T09:30:00.123Z INFO  message key=value key="quoted value"`
    func textLine() -> String {
        var out = timestamp
        out += " "
        let name = level.description.uppercased()
        out += name + String(repeating: " ", count: 5 - name.count) + " "
        Self.appendEscaped(message, to: &out)
        for field in fields {
            out += " " + field.key + "="
            switch field.value {
            case .string(let s):
                if Self.needsQuotes(s) {
                    out += "\""
                    Self.appendEscaped(s, to: &out)
                    out += "\""
                } else {
                    out += s
                }
            case .int(let n): out += String(n)
            case .double(let d): out += Self.number(d)
            case .bool(let b): out += b ? "true" : "false"
            }
        }
        return out + "\n"
    }

    /// `{"ts":"2026-01-15T09:30:00.123Z","level":"info","msg":"message","key":"value",...}`
    func jsonLine() -> String {
        var out = "{\"ts\":\"" + timestamp + "\",\"level\":\"" + level.description + "\",\"msg\":"
        Self.appendJSONString(message, to: &out)
        for field in fields {
            out += ","
            Self.appendJSONString(field.key, to: &out)
            out += ":"
            switch field.value {
            case .string(let s): Self.appendJSONString(s, to: &out)
            case .int(let n): out += String(n)
            case .double(let d): out += d.isFinite ? Self.number(d) : "null"
            case .bool(let b): out += b ? "true" : "false"
            }
        }
        return out + "}\n"
    }

    /// UTC, millisecond precision, RFC 3339: `2026-01-15T09:30:00.123Z`.
    var timestamp: String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
            + "T" + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
            + "." + pad(Int32(nanoseconds / 1_000_000), 3) + "Z"
    }

    static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    static func needsQuotes(_ s: String) -> Bool {
        s.isEmpty || s.unicodeScalars.contains { $0.value <= 0x20 || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.value == 0x7F }
    }

    /// A JSON string literal, quotes included.
    static func appendJSONString(_ s: String, to out: inout String) {
        out += "\""
        appendEscaped(s, to: &out)
        out += "\""
    }

    /// JSON string escaping (without the quotes): backslash, quote and control characters,
    /// so every line stays one line and every JSON line parses.
    static func appendEscaped(_ s: String, to out: inout String) {
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
    }
}
