/// Times in the text of citizens' messages, in Pakistan Standard Time (UTC+5, no daylight
/// saving): "14 Mar 2026, 10:30 PKT". API fields stay UTC timestamps.
enum PakistanTime {
    private static let offset: Int64 = 5 * 3_600_000
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ millis: Int64) -> String {
        let (y, m, d, minutes) = civil(millis + offset)
        let hh = minutes / 60, mm = minutes % 60
        return "\(d) \(months[m - 1]) \(y), \(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm) PKT"
    }

    /// "14 Mar 2026".
    static func date(_ millis: Int64) -> String {
        let (y, m, d, _) = civil(millis + offset)
        return "\(d) \(months[m - 1]) \(y)"
    }

    /// Year, month, day and minute of the day of a Unix-millisecond time (Hinnant's algorithm).
    static func civil(_ ms: Int64) -> (year: Int, month: Int, day: Int, minute: Int) {
        let days = (ms >= 0 ? ms : ms - 86_399_999) / 86_400_000
        let minute = Int((ms - days * 86_400_000) / 60_000)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (Int(yoe + era * 400) + (month <= 2 ? 1 : 0), month, day, minute)
    }

    /// Days since 1970-01-01 of a civil date (for date-of-birth checks).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension UInt64 {
    /// Paisa as rupees for messages: 12050 → "Rs 120.50".
    var rupees: String {
        let r = self / 100, p = self % 100
        return "Rs \(r).\(p < 10 ? "0" : "")\(p)"
    }
}
