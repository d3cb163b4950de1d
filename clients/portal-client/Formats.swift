import PortalModel
#if canImport(Glibc)
import Glibc
#endif

/// Times: proto3 JSON's RFC 3339 form, the human form, and the dates users type.
enum Time {
    /// Days since 1970-01-01 -> (year, month, day) in the proleptic Gregorian calendar.
    static func civil(days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// (year, month, day) -> days since 1970-01-01.
    static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `2026-05-01T10:32:05Z`, with 3, 6 or 9 fraction digits when the nanoseconds need them.
    static func rfc3339(seconds: Int64, nanos: Int32) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civil(days: days)
        var s = "\(pad(y, 4))-\(pad(Int64(m), 2))-\(pad(Int64(d), 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        let n = Int64(nanos)
        if n != 0 {
            if n % 1_000_000 == 0 { s += "." + pad(n / 1_000_000, 3) }
            else if n % 1000 == 0 { s += "." + pad(n / 1000, 6) }
            else { s += "." + pad(n, 9) }
        }
        return s + "Z"
    }

    /// `1.500s`, `-3s`: seconds with 0, 3, 6 or 9 fraction digits, as protobuf writes a Duration.
    static func duration(seconds: Int64, nanos: Int32) -> String {
        guard nanos != 0 else { return "\(seconds)s" }
        let negative = seconds < 0 || nanos < 0
        var frac = pad(Int64(abs(nanos)), 9)
        while frac.hasSuffix("000") { frac.removeLast(3) }
        return "\(negative ? "-" : "")\(abs(seconds)).\(frac)s"
    }

    /// Parses what a user types for a moment: `2026-05-01` (midnight UTC),
    /// `2026-05-01T10:30Z`, `2026-05-01T10:30:15Z` or with `+05:00`-style offsets, or
    /// `@1767225600` (Unix seconds).
    static func parse(_ text: String) -> Google_Protobuf_Timestamp? {
        var t = Google_Protobuf_Timestamp()
        if text.hasPrefix("@") {
            guard let s = Int64(text.dropFirst()) else { return nil }
            t.seconds = s
            return t
        }
        let chars = Array(text)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            let part = chars[range]
            guard part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber) else { return nil }
            return Int(String(part))
        }
        guard chars.count >= 10, chars[4] == "-", chars[7] == "-",
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              (1...12).contains(month), (1...daysIn(month, year)).contains(day) else { return nil }
        var seconds = days(year: Int64(year), month: month, day: day) * 86_400
        if chars.count == 10 {
            t.seconds = seconds
            return t
        }
        guard chars.count >= 16, chars[10] == "T" || chars[10] == " ", chars[13] == ":",
              let hour = number(11..<13), let minute = number(14..<16), hour < 24, minute < 60 else { return nil }
        seconds += Int64(hour * 3600 + minute * 60)
        var i = 16
        if i < chars.count, chars[i] == ":" {
            guard let second = number(17..<19), second < 60 else { return nil }
            seconds += Int64(second)
            i = 19
        }
        let zone = String(chars[i...])
        if zone == "Z" || zone == "z" {
            // UTC
        } else if zone.count == 6, let sign = zone.first, sign == "+" || sign == "-",
                  let oh = Int(zone.dropFirst().prefix(2)), zone.dropFirst(3).first == ":", let om = Int(zone.suffix(2)) {
            let offset = Int64(oh * 3600 + om * 60)
            seconds += sign == "+" ? -offset : offset
        } else {
            return nil  // a zone is required: a bare local time would be ambiguous
        }
        t.seconds = seconds
        return t
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// A timestamp for people: local time with the zone, `2026-05-01 15:32:05 PKT`; `-` when unset.
    static func human(_ t: Google_Protobuf_Timestamp?) -> String {
        guard let t else { return "-" }
        var seconds = time_t(t.seconds)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return rfc3339(seconds: t.seconds, nanos: 0) }
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S %Z", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func now() -> Google_Protobuf_Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = Google_Protobuf_Timestamp()
        t.seconds = Int64(ts.tv_sec)
        t.nanos = Int32(ts.tv_nsec)
        return t
    }
}

/// Enum values as users type them: `assigned`, `info-requested`, `INFO_REQUESTED` or the full
/// proto name `COMPLAINT_STATUS_INFO_REQUESTED`, case-insensitive. UNSPECIFIED is never accepted.
enum EnumNames {
    static func parse<E: ProtoEnum>(_ text: String, as: E.Type, prefix: String, aliases: [String: E] = [:]) -> E? {
        let key = text.uppercased().map { $0 == "-" || $0 == " " ? "_" : $0 }
        let normalized = String(key)
        if let alias = aliases[normalized.lowercased()] { return alias }
        for value in E.allCases {
            guard let name = value.protoName, !name.hasSuffix("_UNSPECIFIED") else { continue }
            if name == normalized || name == prefix + normalized { return value }
        }
        return nil
    }

    /// The accepted short names, for error messages and help: `new, assigned, info-requested`.
    static func choices<E: ProtoEnum>(_ type: E.Type, prefix: String, aliases: [String] = []) -> String {
        let names = E.allCases.compactMap { $0.protoName }.filter { !$0.hasSuffix("_UNSPECIFIED") }.map {
            String($0.dropFirst($0.hasPrefix(prefix) ? prefix.count : 0)).lowercased().replacingUnderscores
        }
        return (names + aliases).joined(separator: ", ")
    }

    /// `COMPLAINT_STATUS_INFO_REQUESTED` -> `INFO_REQUESTED` (for people).
    static func short<E: ProtoEnum>(_ value: E, prefix: String) -> String {
        guard let name = value.protoName else { return String(value.rawValue) }
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }

    static let roleAliases: [String: Portal_V1_Role] = [
        "officer": .departmentOfficer, "dc": .deputyCommissioner, "cs": .chiefSecretary,
    ]
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
