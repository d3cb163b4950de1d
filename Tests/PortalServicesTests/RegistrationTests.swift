import PortalRPC
import PortalServices
import Testing

@Suite struct RegistrationTests {
    static func request(cnic: String, mobile: String) -> Portal_V1_RegisterRequest {
        .with {
            $0.name = "Fazal Wahid"; $0.cnic = cnic; $0.mobile = mobile; $0.districtCode = "SWT"; $0.password = "Mingora-bazaar-7"
        }
    }

    /// An unverified registration holds its CNIC and number for a day, then gives way, so
    /// nobody can squat another person's identity by registering it first.
    @Test func unverifiedRegistrationExpires() async throws {
        try await withPortal { p in
            let squatter = try await p.citizen.register(Self.request(cnic: "15602-1234567-3", mobile: "03451234567"))
            #expect(await rpcError { try await p.citizen.register(Self.request(cnic: "15602-1234567-3", mobile: "03459999999")) }?.message == "cnic: already registered")
            p.clock.advance(byMillis: 25 * 3_600_000)
            let owner = try await p.citizen.register(Self.request(cnic: "15602-1234567-3", mobile: "03459999999"))
            #expect(owner.citizenId != squatter.citizenId)
            // The squatter's code no longer verifies anything.
            var v = Portal_V1_VerifyMobileRequest()
            v.citizenId = squatter.citizenId; v.code = try p.smsCode(for: "+923451234567")
            #expect(await statusOf { try await p.citizen.verifyMobile(v) } == .notFound)
        }
    }

    /// Only verified citizens count as registered in the figures.
    @Test func onlyVerifiedCitizensCount() async throws {
        try await withPortal { p in
            _ = try await p.citizen.register(Self.request(cnic: "15602-7654321-5", mobile: "03111234567"))
            #expect(try await p.citizen.getPublicStatistics(.init()).citizensRegistered == 0)
            _ = try await p.newCitizen(district: "SWT")
            #expect(try await p.citizen.getPublicStatistics(.init()).citizensRegistered == 1)
        }
    }
}
