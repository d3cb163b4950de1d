import PortalRPC
import PortalServices
import Testing

@Suite struct PasswordChangeTests {
    /// A new officer replaces his one-time password; other sessions end, the old password no
    /// longer works, the new one does.
    @Test func officerReplacesHisOneTimePassword() async throws {
        try await withPortal { p in
            let admin = try await p.adminSession()
            let created = try await p.admin.createStaff(.with {
                $0.username = "new.dc"; $0.name = "Khalid Mehmood"; $0.role = .deputyCommissioner; $0.jurisdictionCode = "SWT"
            }, options: admin.options)
            let login = Portal_V1_StaffLoginRequest.with { $0.username = "new.dc"; $0.password = created.oneTimePassword }
            let first = try await p.officer.login(login)
            let second = try await p.officer.login(login)

            let wrong = await rpcError {
                try await p.officer.changePassword(.with { $0.currentPassword = "not-it-1"; $0.newPassword = "Mingora-2026x" },
                                                   options: TestPortal.auth(first.token))
            }
            #expect(wrong?.code == .invalidArgument && wrong?.message.hasPrefix("current_password:") == true)
            let weak = await rpcError {
                try await p.officer.changePassword(.with { $0.currentPassword = created.oneTimePassword; $0.newPassword = "short" },
                                                   options: TestPortal.auth(first.token))
            }
            #expect(weak?.code == .invalidArgument && weak?.message.hasPrefix("new_password:") == true)

            let changed = try await p.officer.changePassword(
                .with { $0.currentPassword = created.oneTimePassword; $0.newPassword = "Mingora-2026x" }, options: TestPortal.auth(first.token))
            #expect(changed.sessionsRevoked == 1)
            #expect(try await p.officer.getMe(.init(), options: TestPortal.auth(first.token)).username == "new.dc")
            #expect(await statusOf { try await p.officer.getMe(.init(), options: TestPortal.auth(second.token)) } == .unauthenticated)
            #expect(await statusOf { try await p.officer.login(login) } == .unauthenticated)
            #expect(try await p.officer.login(.with { $0.username = "new.dc"; $0.password = "Mingora-2026x" }).role == .deputyCommissioner)
        }
    }

    @Test func citizenPasswordKeepsThePolicy() async throws {
        try await withPortal { p in
            let citizen = try await p.newCitizen()
            let profile = try await p.citizen.getProfile(.init(), options: citizen.options)
            // The new password may not contain the CNIC digits.
            let refused = await rpcError {
                try await p.citizen.changePassword(.with { $0.currentPassword = "wrong-but-unchecked-first"; $0.newPassword = "x" + profile.cnic },
                                                   options: citizen.options)
            }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.message.contains(profile.cnic) == false)
        }
    }
}
