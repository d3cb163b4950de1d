import LogCapture
import Foundation
import PortalRPC
import PortalServices
import Testing

/// The portal's log as an operator's collector reads it: JSON lines with a request id per
/// call, and no personal data (CNIC, mobile number, e-mail, name, password, SMS code, token,
/// complaint text), on success and failure paths alike.
@Suite struct OperationsLoggingTests {
    static func objects(_ capture: LogCapture) throws -> [[String: Any]] {
        try capture.lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }

    @Test(.timeLimit(.minutes(3))) func jsonLinesCarryRequestIDsAndNoPersonalData() async throws {
        let capture = LogCapture()
        let logger = capture.logger(level: .debug, format: .json)
        defer { logger.close() }
        let cnic = "17301-7654321-3", cnicDigits = "1730176543213"
        let mobile = "03457654321", mobileDigits = "3457654321"
        let email = "ayesha.private@example.pk"
        let name = "Ayesha Qudsia"
        let password = "Swat-river-2026q"
        let description = "Sewage overflow near house 12 in Gulbahar street 9"
        var secrets = [cnic, cnicDigits, mobile, mobileDigits, email, name, password, description]

        try await withPortal(logger: logger) { p in
            var r = Portal_V1_RegisterRequest()
            r.name = name; r.cnic = cnic; r.mobile = mobile; r.email = email; r.districtCode = "PSH"; r.password = password
            let registered = try await p.citizen.register(r)
            // Failure paths: the same CNIC again, a malformed one, a wrong code and password.
            #expect(await statusOf { try await p.citizen.register(r) } == .alreadyExists)
            #expect(await statusOf { try await p.citizen.register(.with { $0 = r; $0.cnic = "17301-76543" }) } == .invalidArgument)
            #expect(await statusOf { try await p.citizen.verifyMobile(.with { $0.citizenId = registered.citizenId; $0.code = "000000" }) } != nil)
            let code = try p.smsCode(for: "+92" + mobile.dropFirst())
            secrets.append(code)
            _ = try await p.citizen.verifyMobile(.with { $0.citizenId = registered.citizenId; $0.code = code })
            #expect(await statusOf { try await p.citizen.login(.with { $0.identity = .cnic(cnic); $0.password = "Wrong-pass-1" }) } == .unauthenticated)
            let session = try await p.citizen.login(.with { $0.identity = .mobile(mobile); $0.password = password })
            secrets.append(session.token)
            let signedIn = TestPortal.SignedIn(id: registered.citizenId, token: session.token)
            _ = try await p.fileComplaint(signedIn, description: description)
        }
        await logger.flush()

        let text = capture.text
        for secret in secrets {
            #expect(!text.contains(secret), "personal data reached the log: \(secret)")
        }

        let lines = try Self.objects(capture)
        #expect(lines.allSatisfy { $0["ts"] is String && $0["level"] is String && $0["msg"] is String })
        let calls = lines.filter { $0["msg"] as? String == "call" }
        let methods = calls.compactMap { $0["method"] as? String }
        #expect(methods.filter { $0 == "/portal.v1.CitizenService/Register" }.count == 3)
        #expect(methods.contains("/portal.v1.CitizenService/FileComplaint"))
        let codes = calls.filter { $0["method"] as? String == "/portal.v1.CitizenService/Register" }.compactMap { $0["code"] as? String }
        #expect(codes == ["OK", "ALREADY_EXISTS", "INVALID_ARGUMENT"])
        for call in calls {
            let id = try #require(call["request_id"] as? String)
            #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
            #expect(call["duration_ms"] is Double || call["duration_ms"] is Int)
            #expect(call["peer"] is String)
            #expect(Set(call.keys) == ["ts", "level", "msg", "request_id", "method", "code", "duration_ms", "peer"])
        }
        #expect(Set(calls.compactMap { $0["request_id"] as? String }).count == calls.count)
    }
}
