import PortalRPC
import PortalServices
import Testing

@Suite struct DevClockTests {
    @Test func advanceClockEscalatesOnADevServer() async throws {
        try await withPortal { p in
            let admin = try await p.adminSession()
            let citizen = try await p.newCitizen()
            let c = try await p.fileComplaint(citizen)
            let moved = try await p.admin.advanceClock(.with { $0.days = 15 }, options: admin.options)
            #expect(moved.escalated == 1)
            let later = try await p.admin.advanceClock(.with { $0.days = 7 }, options: admin.options)
            #expect(later.escalated == 1)
            #expect(try await p.citizen.getComplaint(.with { $0.code = c.code }, options: citizen.options).tier == .province)
            #expect(await rpcError { try await p.admin.advanceClock(.with { $0.days = 366 }, options: admin.options) }?.message.hasPrefix("days:") == true)
        }
    }

    @Test func theClockDoesNotMoveOnAProductionServer() async throws {
        try await withPortal(configure: { $0.devMode = false }) { p in
            let admin = try await p.adminSession()
            #expect(await statusOf { try await p.admin.advanceClock(.with { $0.days = 1 }, options: admin.options) } == .failedPrecondition)
        }
    }
}
