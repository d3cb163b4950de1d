import PortalModel
import PortalStore

/// Moves unresolved complaints up the hierarchy: `divisionAfterDays` after filing (or the
/// latest reopening) to the division's Commissioner, `provinceAfterDays` to the Chief
/// Secretary. `scan()` is one pass; `run()` repeats it on the configured interval until its
/// task is cancelled. Time comes from the injectable clock, so tests move it. Every move is
/// counted in `core.metrics` (portal_escalations_total) and logged at info.
public struct Escalator: Sendable {
    let core: PortalCore

    /// Escalates everything that is due; returns how many complaints moved.
    @discardableResult
    public func scan() async throws -> Int {
        let policy = core.escalationPolicy
        let now = core.now()
        let divisionCutoff = now - Int64(policy.divisionAfterDays) * Millis.day
        let provinceCutoff = now - Int64(policy.provinceAfterDays) * Millis.day
        var total = 0
        while true {
            let moved: [(Portal_V1_Complaint, Portal_V1_Tier)] = try await core.write { db in
                let due = try db.query("""
                    SELECT id, clock_started_at, tier FROM complaints
                    WHERE \(OpenComplaints.condition("status")) AND clock_started_at <= ?
                      AND ((tier < 2) OR (tier < 3 AND clock_started_at <= ?))
                    ORDER BY clock_started_at LIMIT 500
                    """, [divisionCutoff, provinceCutoff]) { ($0.int(0), $0.int(1), $0.int(2)) }
                var moved: [(Portal_V1_Complaint, Portal_V1_Tier)] = []
                for (id, started, tier) in due {
                    let target: Portal_V1_Tier = started <= provinceCutoff ? .province : .division
                    guard Int64(target.rawValue) > tier else { continue }
                    try db.run("UPDATE complaints SET tier = ?, updated_at = ? WHERE id = ?", Int64(target.rawValue), now, id)
                    try ComplaintRecords.addEvent(db, complaintID: id, at: now, actor: nil, kind: .escalated, value: Int64(target.rawValue))
                    guard let c = try ComplaintRecords.load(db, id: id, timeline: false) else { continue }
                    let whom = target == .province ? "the Chief Secretary" : "the Commissioner"
                    if let citizen = Int64(c.citizenId) {
                        try MessageBox.append(db, citizenID: citizen, kind: .complaintEscalated, reference: c.code,
                                              text: "Your complaint \(c.code) is still unresolved and was escalated to \(whom).", at: now)
                    }
                    try AuditLog.append(db, at: now, actor: nil, action: "complaint.escalate", target: c.code,
                                        detail: "tier=\(target == .province ? "province" : "division")")
                    moved.append((c, target))
                }
                return moved
            }
            total += moved.count
            let toProvince = moved.count { $0.1 == .province }
            core.metrics.recordEscalations(to: .division, moved.count - toProvince)
            core.metrics.recordEscalations(to: .province, toProvince)
            if !moved.isEmpty {
                core.logger?.info("escalated complaints", ["division": .int(moved.count - toProvince), "province": .int(toProvince)])
            }
            core.hub.citizenMessagesChanged(moved.compactMap { Int64($0.0.citizenId) })
            core.hub.publishQueue(moved.map { .init(kind: .escalated, complaint: $0.0, at: now) })
            core.hub.districtChanged(Set(moved.map(\.0.districtCode)))
            if moved.count < 500 { return total }
        }
    }

    /// Scans every `escalationScanIntervalMillis` until cancelled. Failures are retried on the
    /// next tick (the store may be briefly unavailable).
    public func run() async {
        let interval = core.configuration.escalationScanIntervalMillis
        while !Task.isCancelled {
            do {
                try await scan()
            } catch where !Task.isCancelled {
                core.metrics.recordFailedScan()
                core.logger?.warn("escalation scan failed; retrying on the next tick", ["error": .string(String(describing: error))])
            } catch {}
            try? await Task.sleep(for: .milliseconds(interval))
        }
    }
}
