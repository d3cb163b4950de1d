/// The UTC calendar year of a Unix-millisecond time (complaint codes carry the filing year).
enum CivilDate {
    static func year(ofMillis ms: Int64) -> Int {
        // Howard Hinnant's days-to-civil algorithm.
        let days = (ms >= 0 ? ms : ms - 86_399_999) / 86_400_000
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
    }
}
