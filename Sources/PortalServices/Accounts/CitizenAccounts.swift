import PortalModel
import PortalRPC
import PortalSecurity
import PortalStore

/// Registration with SMS verification, sign-in, and the citizen's profile.
struct CitizenAccounts: Sendable {
    let core: PortalCore

    private enum CodeCheck: Sendable {
        case verified(Portal_V1_Citizen)
        case wrong(attemptsLeft: Int)
        case expired, noneOutstanding, tooManyAttempts, alreadyVerified
    }

    func register(_ request: Portal_V1_RegisterRequest) async throws(PortalError) -> Portal_V1_RegisterResponse {
        let name = try PortalValidation.name(request.name, field: "name")
        let cnic = try PortalValidation.cnic(request.cnic, field: "cnic")
        let mobile = try PortalValidation.mobile(request.mobile, field: "mobile")
        let email = try PortalValidation.email(request.email, field: "email")
        let district = try core.directory.district(request.districtCode, field: "district_code").code
        try PortalValidation.password(request.password, field: "password", cnic: cnic, mobile: mobile)

        let hash = try await core.hashPassword(request.password)
        let code = SecureRandom.digits(6)
        let now = core.now()
        let config = core.configuration
        let squatAge = Self.unverifiedLifetimeMillis
        let id: Int64 = try await core.write { db in
            // A registration never verified for a day gives way, so nobody can hold another
            // person's CNIC or number hostage by registering it first.
            try db.run("DELETE FROM citizens WHERE verified = 0 AND created_at < ? AND (cnic = ? OR mobile = ?)", now - squatAge, cnic, mobile)
            if try db.queryOne("SELECT 1 FROM citizens WHERE cnic = ?", [cnic], { _ in true }) != nil {
                throw PortalError.alreadyExists(field: "cnic")
            }
            if try db.queryOne("SELECT 1 FROM citizens WHERE mobile = ?", [mobile], { _ in true }) != nil {
                throw PortalError.alreadyExists(field: "mobile")
            }
            try db.run("INSERT INTO citizens (name, cnic, mobile, email, district_code, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       name, cnic, mobile, email, district, hash, now)
            let id = db.lastInsertRowID
            try db.run("INSERT INTO verification_codes (citizen_id, code_hash, expires_at, sent_at) VALUES (?, ?, ?, ?)",
                       id, Self.codeHash(id, code), now + config.codeLifetimeMillis, now)
            try AuditLog.append(db, at: now, actor: nil, action: "citizen.register", target: "citizen:\(id)")
            return id
        }
        try await sendCode(code, to: mobile)
        var response = Portal_V1_RegisterResponse()
        response.citizenId = String(id)
        response.codeExpiresAt = .init(millis: now + config.codeLifetimeMillis)
        response.resendAllowedAt = .init(millis: now + config.codeResendCooldownMillis)
        return response
    }

    func verify(_ request: Portal_V1_VerifyMobileRequest) async throws(PortalError) -> Portal_V1_VerifyMobileResponse {
        let id = try PortalValidation.id(request.citizenId, field: "citizen_id")
        let code = request.code
        guard code.utf8.count == 6, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .invalidArgument(field: "code", reason: "must be the 6 digits sent by SMS")
        }
        let now = core.now()
        let maxAttempts = core.configuration.codeMaxAttempts
        // Wrong attempts must be counted even though the call fails, so the closure reports
        // the outcome instead of throwing (a throw would roll the counter back).
        let outcome: CodeCheck = try await core.write { db in
            guard let verified = try db.queryOne("SELECT verified FROM citizens WHERE id = ?", [id], { $0.int(0) != 0 }) else {
                throw PortalError.notFound("citizen_id: no such registration")
            }
            if verified { return .alreadyVerified }
            guard let row = try db.queryOne("SELECT code_hash, expires_at, attempts FROM verification_codes WHERE citizen_id = ?",
                                            [id], { ($0.blob(0), $0.int(1), Int($0.int(2))) }) else { return .noneOutstanding }
            if row.2 >= maxAttempts { return .tooManyAttempts }
            if row.1 <= now { return .expired }
            guard ConstantTime.equals(row.0, Self.codeHash(id, code)) else {
                try db.run("UPDATE verification_codes SET attempts = attempts + 1 WHERE citizen_id = ?", id)
                return .wrong(attemptsLeft: maxAttempts - row.2 - 1)
            }
            try db.run("UPDATE citizens SET verified = 1 WHERE id = ?", id)
            try db.run("DELETE FROM verification_codes WHERE citizen_id = ?", id)
            try AuditLog.append(db, at: now, actor: nil, action: "citizen.verify_mobile", target: "citizen:\(id)")
            return .verified(try Self.load(db, id: id)!)
        }
        switch outcome {
        case .verified(let c):
            var r = Portal_V1_VerifyMobileResponse()
            r.citizen = c
            return r
        case .wrong(let left):
            throw .invalidArgument(field: "code", reason: left > 0 ? "is wrong (\(left) attempts left)" : "is wrong; request a new code")
        case .expired: throw .failedPrecondition("the code expired; request a new one")
        case .noneOutstanding: throw .failedPrecondition("no code is outstanding; request a new one")
        case .tooManyAttempts: throw .resourceExhausted("too many wrong codes; request a new one")
        case .alreadyVerified: throw .failedPrecondition("the mobile number is already verified")
        }
    }

    func resend(_ request: Portal_V1_ResendVerificationCodeRequest) async throws(PortalError) -> Portal_V1_ResendVerificationCodeResponse {
        let id = try PortalValidation.id(request.citizenId, field: "citizen_id")
        let now = core.now()
        let config = core.configuration
        let code = SecureRandom.digits(6)
        let mobile: String = try await core.write { db in
            guard let c = try db.queryOne("SELECT mobile, verified FROM citizens WHERE id = ?", [id], { ($0.text(0), $0.int(1) != 0) }) else {
                throw PortalError.notFound("citizen_id: no such registration")
            }
            if c.1 { throw PortalError.failedPrecondition("the mobile number is already verified") }
            let previous = try db.queryOne("SELECT sent_at, sends FROM verification_codes WHERE citizen_id = ?", [id]) { ($0.int(0), Int($0.int(1))) }
            if let p = previous {
                if now < p.0 + config.codeResendCooldownMillis {
                    throw PortalError.resourceExhausted("wait \((p.0 + config.codeResendCooldownMillis - now + 999) / 1000) s before asking for another code")
                }
                if p.1 >= config.codeMaxSends { throw PortalError.resourceExhausted("too many codes sent; contact support") }
            }
            try db.run("""
                INSERT INTO verification_codes (citizen_id, code_hash, expires_at, sent_at, sends) VALUES (?, ?, ?, ?, 1)
                ON CONFLICT (citizen_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
                    sent_at = excluded.sent_at, attempts = 0, sends = sends + 1
                """, id, Self.codeHash(id, code), now + config.codeLifetimeMillis, now)
            return c.0
        }
        try await sendCode(code, to: mobile)
        var r = Portal_V1_ResendVerificationCodeResponse()
        r.codeExpiresAt = .init(millis: now + config.codeLifetimeMillis)
        r.resendAllowedAt = .init(millis: now + config.codeResendCooldownMillis)
        return r
    }

    func login(_ request: Portal_V1_CitizenLoginRequest, peer: String) async throws(PortalError) -> Portal_V1_Session {
        let column: String, value: String
        switch request.identity {
        case .cnic(let c)?: column = "cnic"; value = try PortalValidation.cnic(c, field: "cnic")
        case .mobile(let m)?: column = "mobile"; value = try PortalValidation.mobile(m, field: "mobile")
        case nil: throw .invalidArgument(field: "identity", reason: "give cnic or mobile")
        }
        guard !request.password.isEmpty else { throw .missing("password") }
        let peerKey = "login:" + peer.hostPart
        try core.peerLimiter.check(peerKey, what: "sign-in")
        let row = try await core.read { db in
            try db.queryOne("SELECT id, password_hash, verified, blocked FROM citizens WHERE \(column) = ?", [value]) {
                (id: $0.int(0), hash: $0.text(1), verified: $0.int(2) != 0, blocked: $0.int(3) != 0)
            }
        }
        // Failures count per account, whichever identity (CNIC or mobile) was typed.
        let accountKey = row.map { "citizen:\($0.id)" } ?? "citizen-login:" + value
        try core.accountLimiter.check(accountKey, what: "sign-in")
        let ok = try await core.verifyPassword(request.password, against: row?.hash)
        guard let row, ok else {
            core.accountLimiter.recordFailure(accountKey)
            core.peerLimiter.recordFailure(peerKey)
            throw .unauthenticated("wrong \(column == "cnic" ? "CNIC" : "mobile number") or password")
        }
        if row.blocked { throw .permissionDenied("this account is blocked; contact the Citizen Portal") }
        if !row.verified { throw .failedPrecondition("verify your mobile number first (VerifyMobile)") }
        core.accountLimiter.reset(accountKey)
        let now = core.now(), lifetime = core.configuration.sessionLifetimeMillis
        let session = try await core.write { db in
            try Authenticator.createSession(db, citizenID: row.id, staffID: nil, now: now, lifetime: lifetime)
        }
        var s = Portal_V1_Session()
        s.token = session.token
        s.expiresAt = .init(millis: session.expiresAt)
        s.role = .citizen
        s.subjectId = String(row.id)
        return s
    }

    func profile(_ citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Citizen {
        let id = citizen.id
        guard let c = try await core.read({ db in try Self.load(db, id: id) }) else { throw .notFound("citizen not found") }
        return c
    }

    static func load(_ db: Database, id: Int64) throws -> Portal_V1_Citizen? {
        try db.queryOne("SELECT id, name, cnic, mobile, email, district_code, verified, blocked, created_at FROM citizens WHERE id = ?", [id]) { r in
            var c = Portal_V1_Citizen()
            c.id = String(r.int(0)); c.name = r.text(1); c.cnic = r.text(2); c.mobile = r.text(3); c.email = r.text(4)
            c.districtCode = r.text(5); c.mobileVerified = r.int(6) != 0; c.blocked = r.int(7) != 0
            c.registeredAt = .init(millis: r.int(8))
            return c
        }
    }

    /// How long an unverified registration holds its CNIC and mobile number.
    static let unverifiedLifetimeMillis = Millis.day

    /// Codes are stored as SHA-256 over the citizen id and the code: a leaked table does not
    /// reveal live codes at a glance (a 6-digit space is small, so expiry and the attempt
    /// limit remain the real protection).
    static func codeHash(_ id: Int64, _ code: String) -> [UInt8] {
        SHA256.hash(Array("\(id):\(code)".utf8))
    }

    private func sendCode(_ code: String, to mobile: String) async throws(PortalError) {
        let minutes = core.configuration.codeLifetimeMillis / Millis.minute
        do {
            try await core.sms.send(to: mobile, text: "Citizen Portal verification code: \(code). It expires in \(minutes) minutes. Do not share it.")
        } catch {
            throw .unavailable("the SMS could not be sent; request a new code")
        }
    }
}

extension String {
    /// `1.2.3.4` of `1.2.3.4:5678`, `::1` of `[::1]:5678`: rate limits count per address.
    var hostPart: String {
        if hasPrefix("["), let end = firstIndex(of: "]") { return String(self[index(after: startIndex)..<end]) }
        if let colon = lastIndex(of: ":"), firstIndex(of: ":") == colon { return String(self[..<colon]) }
        return self
    }
}
