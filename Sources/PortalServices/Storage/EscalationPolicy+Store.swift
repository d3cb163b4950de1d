import PortalModel
import PortalStore

extension EscalationPolicy {
    /// The stored policy, or `defaults` where a setting was never saved.
    static func load(_ db: Database, defaults: EscalationPolicy) throws -> EscalationPolicy {
        var p = defaults
        for (key, value) in try db.query("SELECT key, value FROM settings WHERE key LIKE 'escalation.%'", [], { ($0.text(0), $0.text(1)) }) {
            guard let n = Int(value) else { continue }
            switch key {
            case "escalation.division_after_days": p.divisionAfterDays = n
            case "escalation.province_after_days": p.provinceAfterDays = n
            case "escalation.max_reopens": p.maxReopens = n
            default: break
            }
        }
        return p
    }

    static func save(_ p: EscalationPolicy, _ db: Database) throws {
        for (key, value) in [("escalation.division_after_days", p.divisionAfterDays),
                             ("escalation.province_after_days", p.provinceAfterDays),
                             ("escalation.max_reopens", p.maxReopens)] {
            try db.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, String(value))
        }
    }

    var proto: Portal_V1_EscalationPolicy {
        var r = Portal_V1_EscalationPolicy()
        r.divisionAfterDays = UInt32(divisionAfterDays)
        r.provinceAfterDays = UInt32(provinceAfterDays)
        r.maxReopens = UInt32(maxReopens)
        return r
    }
}
