/// `google.protobuf.Timestamp` and `Duration` text: RFC 3339 in UTC with 0, 3, 6 or 9
/// fractional digits (`"2017-01-15T01:30:15.010Z"`; offsets accepted on input), and seconds
/// with the same fractions and an `s` (`"-1.5s"`). Civil dates use the proleptic Gregorian
/// calendar (days-from-civil, H. Hinnant).
enum ProtoJSONTime {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    static let minTimestamp: Int64 = -62_135_596_800
    static let maxTimestamp: Int64 = 253_402_300_799
    /// 10,000 years, as protobuf bounds durations.
    static let maxDuration: Int64 = 315_576_000_000

    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func padded(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// The shortest of 0, 3, 6 or 9 digits that holds `nanos` (0...999_999_999), with its dot.
    static func fraction(_ nanos: Int64) -> String {
        if nanos == 0 { return "" }
        if nanos % 1_000_000 == 0 { return "." + padded(nanos / 1_000_000, 3) }
        if nanos % 1000 == 0 { return "." + padded(nanos / 1000, 6) }
        return "." + padded(nanos, 9)
    }

    static func timestampText(seconds: Int64, nanos: Int32) -> (String, ProtoJSONError?) {
        var error: ProtoJSONError?
        if seconds < minTimestamp || seconds > maxTimestamp {
            error = ProtoJSONError("timestamp \(seconds) s is outside 0001-01-01 to 9999-12-31")
        }
        if nanos < 0 || nanos > 999_999_999 { error = ProtoJSONError("timestamp nanos \(nanos) out of range") }
        // Out of range, the text is clamped to the range (and `error` says so).
        let clampedNanos = Int64(min(max(nanos, 0), 999_999_999))
        let clamped = min(max(seconds, minTimestamp), maxTimestamp)
        let days = clamped >= 0 ? clamped / 86400 : (clamped - 86399) / 86400
        let secOfDay = clamped - days * 86400
        let (y, m, d) = civilFromDays(days)
        let text = padded(y, 4) + "-" + padded(m, 2) + "-" + padded(d, 2) + "T" + padded(secOfDay / 3600, 2) + ":"
            + padded(secOfDay / 60 % 60, 2) + ":" + padded(secOfDay % 60, 2) + fraction(clampedNanos) + "Z"
        return (text, error)
    }

    static func durationText(seconds: Int64, nanos: Int32) -> (String, ProtoJSONError?) {
        var error: ProtoJSONError?
        if seconds < -maxDuration || seconds > maxDuration {
            error = ProtoJSONError("duration \(seconds) s is out of range")
        } else if nanos <= -1_000_000_000 || nanos >= 1_000_000_000 || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0) {
            error = ProtoJSONError("duration nanos \(nanos) out of range or of the wrong sign")
        }
        let negative = seconds < 0 || nanos < 0
        let text = (negative ? "-" : "") + String(seconds.magnitude) + fraction(Int64(nanos.magnitude) % 1_000_000_000) + "s"
        return (text, error)
    }

    /// Reads `count` digits at `i` of `b` as a number, or nil.
    static func digits(_ b: [UInt8], _ i: Int, _ count: Int) -> Int64? {
        guard i + count <= b.count else { return nil }
        var v: Int64 = 0
        for j in i..<(i + count) {
            guard b[j] >= 0x30, b[j] <= 0x39 else { return nil }
            v = v * 10 + Int64(b[j] - 0x30)
        }
        return v
    }

    /// Up to nine fractional digits after a dot at `i`: (nanos, index after them).
    static func nanosAfterDot(_ b: [UInt8], _ i0: Int) -> (Int64, Int)? {
        var i = i0 + 1
        var nanos: Int64 = 0
        var n = 0
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            guard n < 9 else { return nil }
            nanos = nanos * 10 + Int64(b[i] - 0x30)
            n += 1
            i += 1
        }
        guard n > 0 else { return nil }
        for _ in n..<9 { nanos *= 10 }
        return (nanos, i)
    }

    static func parseTimestamp(_ text: String) throws(ProtoJSONError) -> (Int64, Int32) {
        let b = Array(text.utf8)
        let bad = ProtoJSONError("invalid timestamp \"\(text)\"")
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
              let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2)
        else { throw bad }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard year >= 1, month >= 1, month <= 12, day >= 1, day <= monthDays[Int(month - 1)],
              hour <= 23, minute <= 59, second <= 59 else { throw bad }
        var i = 19
        var nanos: Int64 = 0
        if b[i] == UInt8(ascii: ".") {
            guard let (n, next) = nanosAfterDot(b, i) else { throw bad }
            nanos = n
            i = next
        }
        var offset: Int64 = 0
        guard i < b.count else { throw bad }
        if b[i] == UInt8(ascii: "Z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"), let oh = digits(b, i + 1, 2), let om = digits(b, i + 4, 2),
                  oh <= 23, om <= 59 else { throw bad }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            throw bad
        }
        guard i == b.count else { throw bad }
        let seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
        guard seconds >= minTimestamp, seconds <= maxTimestamp else {
            throw ProtoJSONError("timestamp \"\(text)\" is outside 0001-01-01 to 9999-12-31")
        }
        return (seconds, Int32(nanos))
    }

    static func parseDuration(_ text: String) throws(ProtoJSONError) -> (Int64, Int32) {
        let b = Array(text.utf8)
        let bad = ProtoJSONError("invalid duration \"\(text)\"")
        var i = 0
        let negative = b.first == UInt8(ascii: "-")
        if negative { i += 1 }
        var seconds: Int64 = 0
        var n = 0
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            guard n < 13 else { throw bad }
            seconds = seconds * 10 + Int64(b[i] - 0x30)
            n += 1
            i += 1
        }
        guard n > 0 else { throw bad }
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            guard let (ns, next) = nanosAfterDot(b, i) else { throw bad }
            nanos = ns
            i = next
        }
        guard i + 1 == b.count, b[i] == UInt8(ascii: "s") else { throw bad }
        guard seconds <= maxDuration else { throw ProtoJSONError("duration \"\(text)\" is out of range") }
        return negative ? (-seconds, Int32(-nanos)) : (seconds, Int32(nanos))
    }
}
