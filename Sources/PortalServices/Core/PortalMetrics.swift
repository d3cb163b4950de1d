import PortalModel
import PortalRPC
import Synchronization

/// The portal's own figures for /metrics (the RPC server and the store export theirs):
/// escalations by tier, and escalation scans that failed. Counters since the process started.
public final class PortalMetrics: Sendable {
    private let toDivision = Atomic<UInt64>(0)
    private let toProvince = Atomic<UInt64>(0)
    private let failedScans = Atomic<UInt64>(0)

    public init() {}

    /// Counts complaints moved to `tier` (division: the Commissioner; province: the Chief Secretary).
    func recordEscalations(to tier: Portal_V1_Tier, _ n: Int) {
        guard n > 0 else { return }
        switch tier {
        case .province: toProvince.wrappingAdd(UInt64(n), ordering: .relaxed)
        default: toDivision.wrappingAdd(UInt64(n), ordering: .relaxed)
        }
    }

    func recordFailedScan() { failedScans.wrappingAdd(1, ordering: .relaxed) }

    /// Complaints escalated since start, by tier label (`division`, `province`).
    public var escalations: (division: UInt64, province: UInt64) {
        (toDivision.load(ordering: .relaxed), toProvince.load(ordering: .relaxed))
    }

    public var failedEscalationScans: UInt64 { failedScans.load(ordering: .relaxed) }

    /// Prometheus text: `portal_escalations_total{tier}` (both tiers always present, so a rate
    /// starts at zero) and `portal_escalation_scan_failures_total`.
    public func exposition() -> String {
        var out = PrometheusText()
        let e = escalations
        out.header("portal_escalations_total", type: "counter",
                   help: "Complaints escalated: tier=division to the Commissioner (15 days by default), tier=province to the Chief Secretary (22 days).")
        out.sample("portal_escalations_total", labels: ["tier": "division"], Double(e.division))
        out.sample("portal_escalations_total", labels: ["tier": "province"], Double(e.province))
        out.single("portal_escalation_scan_failures_total", type: "counter",
                   help: "Escalation scans that failed (retried on the next tick).", Double(failedEscalationScans))
        return out.text
    }
}
