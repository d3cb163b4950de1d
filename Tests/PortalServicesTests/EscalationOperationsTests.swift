import LogCapture
import Foundation
import PortalRPC
import PortalServices
import Testing

/// Escalation as operators see it: counts in /metrics and lines in the log when complaints
/// move (on the adjustable clock), and thresholds fixed by portal-server's configuration
/// replacing the stored policy at start-up.
@Suite struct EscalationOperationsTests {
    @Test(.timeLimit(.minutes(3))) func escalationsAreCountedAndLogged() async throws {
        let capture = LogCapture()
        let logger = capture.logger(level: .info, format: .text)
        defer { logger.close() }
        try await withPortal(logger: logger) { p in
            let metrics = p.app.core.metrics
            #expect(metrics.escalations == (0, 0))
            #expect(metrics.exposition().contains("portal_escalations_total{tier=\"division\"} 0\n"))
            let citizen = try await p.newCitizen()
            _ = try await p.fileComplaint(citizen)
            _ = try await p.fileComplaint(citizen)

            p.clock.advance(byDays: 15)
            #expect(try await p.app.escalator.scan() == 2)
            #expect(metrics.escalations == (2, 0))

            // Through the admin's AdvanceClock (dev servers) the same scan runs.
            let admin = try await p.adminSession()
            #expect(try await p.admin.advanceClock(.with { $0.days = 7 }, options: admin.options).escalated == 2)
            #expect(metrics.escalations == (2, 2))

            // A complaint overdue for both tiers at once goes straight to the Chief Secretary.
            _ = try await p.fileComplaint(citizen)
            p.clock.advance(byDays: 30)
            #expect(try await p.app.escalator.scan() == 1)
            #expect(metrics.escalations == (2, 3))
            #expect(try await p.app.escalator.scan() == 0)

            let text = metrics.exposition()
            #expect(text.contains("# TYPE portal_escalations_total counter\n"))
            #expect(text.contains("portal_escalations_total{tier=\"division\"} 2\n"))
            #expect(text.contains("portal_escalations_total{tier=\"province\"} 3\n"))
            #expect(text.contains("portal_escalation_scan_failures_total 0\n"))
        }
        await logger.flush()
        let escalated = capture.lines.filter { $0.contains(" INFO  escalated complaints ") }
        #expect(escalated.count == 3)
        #expect(escalated.first?.hasSuffix(" division=2 province=0\n") == true)
        #expect(escalated.last?.hasSuffix(" division=0 province=1\n") == true)
    }

    /// Starts a portal on `dir` with `override`, runs `body`, stops it (the folder stays).
    static func withStoredPortal(on dir: String, override: EscalationPolicy.Override,
                           _ body: (TestPortal) async throws -> Void) async throws {
        try await withPortal(configure: { $0.dataDirectory = dir; $0.escalationOverride = override }, body)
    }

    static func policy(_ p: TestPortal) async throws -> Portal_V1_EscalationPolicy {
        let admin = try await p.adminSession()
        return try await p.admin.getEscalationPolicy(.init(), options: admin.options)
    }

    static func configurationEntries(_ p: TestPortal) async throws -> [Portal_V1_AuditEntry] {
        let admin = try await p.adminSession()
        return try await p.admin.listAuditLog(.with { $0.limit = 500 }, options: admin.options).entries
            .filter { $0.action == "escalation_policy.set" && $0.detail.hasSuffix("source=configuration") }
    }

    @Test(.timeLimit(.minutes(3))) func configuredThresholdsReplaceTheStoredPolicy() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("portal-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixed = EscalationPolicy.Override(divisionAfterDays: 10)

        try await Self.withStoredPortal(on: dir, override: fixed) { p async throws in
            let policy = try await Self.policy(p)
            #expect((policy.divisionAfterDays, policy.provinceAfterDays, policy.maxReopens) == (10, 22, 2))
            let entries = try await Self.configurationEntries(p)
            #expect(entries.map(\.detail) == ["division=10 province=22 reopens=2 source=configuration"])
            // An admin changes it at run time ...
            let admin = try await p.adminSession()
            _ = try await p.admin.setEscalationPolicy(.with { $0.divisionAfterDays = 12 }, options: admin.options)
            #expect(p.app.core.escalationPolicy.divisionAfterDays == 12)
        }
        // ... and the next start applies the configuration again.
        try await Self.withStoredPortal(on: dir, override: fixed) { p async throws in
            #expect(try await Self.policy(p).divisionAfterDays == 10)
            #expect(try await Self.configurationEntries(p).count == 2)
        }
        // Unchanged: nothing written.
        try await Self.withStoredPortal(on: dir, override: fixed) { p async throws in
            #expect(try await Self.configurationEntries(p).count == 2)
        }
        // Without the setting, the stored policy stays.
        try await Self.withStoredPortal(on: dir, override: .init()) { p async throws in
            #expect(try await Self.policy(p).divisionAfterDays == 10)
        }
        // A setting that contradicts the stored policy stops the start.
        await #expect(throws: PortalError.self) {
            try await Self.withStoredPortal(on: dir, override: .init(provinceAfterDays: 9)) { _ in }
        }
    }
}
