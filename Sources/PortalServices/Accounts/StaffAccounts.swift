import PortalModel
import PortalSecurity
import PortalStore

/// Staff accounts: sign-in, DCs adding officers to their district, admins creating and
/// changing any staff account. New accounts get a random one-time password shown once.
struct StaffAccounts: Sendable {
    let core: PortalCore

    static let columns = "id, username, name, role, coalesce(jurisdiction_code, ''), coalesce(department_code, ''), active, created_at, designation"

    static func row(_ r: borrowing Row) -> Portal_V1_StaffMember {
        var s = Portal_V1_StaffMember()
        s.id = String(r.int(0)); s.username = r.text(1); s.name = r.text(2)
        s.role = Portal_V1_Role(rawValue: Int32(r.int(3))); s.jurisdictionCode = r.text(4); s.departmentCode = r.text(5)
        s.active = r.int(6) != 0; s.createdAt = .init(millis: r.int(7)); s.designation = r.text(8)
        return s
    }

    func login(_ r: Portal_V1_StaffLoginRequest, peer: String) async throws(PortalError) -> Portal_V1_Session {
        let username = try Self.username(r.username)
        guard !r.password.isEmpty else { throw .missing("password") }
        let accountKey = "staff-login:" + username, peerKey = "login:" + peer.hostPart
        try core.peerLimiter.check(peerKey, what: "sign-in")
        try core.accountLimiter.check(accountKey, what: "sign-in")
        let row = try await core.read { db in
            try db.queryOne("SELECT id, password_hash, active, role FROM staff WHERE username = ?", [username]) {
                (id: $0.int(0), hash: $0.text(1), active: $0.int(2) != 0, role: Int32($0.int(3)))
            }
        }
        let ok = try await core.verifyPassword(r.password, against: row?.hash)
        guard let row, ok, row.active else {
            core.accountLimiter.recordFailure(accountKey)
            core.peerLimiter.recordFailure(peerKey)
            throw .unauthenticated("wrong username or password")
        }
        core.accountLimiter.reset(accountKey)
        let now = core.now(), lifetime = core.configuration.sessionLifetimeMillis
        let session = try await core.write { db in
            try Authenticator.createSession(db, citizenID: nil, staffID: row.id, now: now, lifetime: lifetime)
        }
        var s = Portal_V1_Session()
        s.token = session.token
        s.expiresAt = .init(millis: session.expiresAt)
        s.role = Portal_V1_Role(rawValue: row.role)
        s.subjectId = String(row.id)
        return s
    }

    func me(_ staff: Principal.Staff) async throws(PortalError) -> Portal_V1_StaffMember {
        let id = staff.id
        guard let s = try await core.read({ db in try db.queryOne("SELECT \(Self.columns) FROM staff WHERE id = ?", [id], Self.row) }) else {
            throw .notFound("staff member not found")
        }
        return s
    }

    /// Validates a new account's fields against its role: department officers and DCs belong to
    /// a district, Commissioners to a division, the Chief Secretary and admins to the province.
    func checkPlacement(role: Portal_V1_Role, jurisdiction: String, department: String) throws(PortalError) {
        let expected: Portal_V1_Tier
        switch role {
        case .departmentOfficer, .deputyCommissioner: expected = .district
        case .commissioner: expected = .division
        case .chiefSecretary, .admin: expected = .province
        default: throw .invalidArgument(field: "role", reason: "must be a staff role")
        }
        guard !jurisdiction.isEmpty else { throw .missing("jurisdiction_code") }
        guard let j = core.directory.jurisdiction(jurisdiction), j.tier == expected else {
            throw .invalidArgument(field: "jurisdiction_code", reason: "must be a \(expected == .district ? "district" : expected == .division ? "division" : "province") for this role")
        }
        if role == .departmentOfficer {
            guard !department.isEmpty else { throw .missing("department_code") }
            guard core.directory.department(department) != nil else { throw .invalidArgument(field: "department_code", reason: "is not a known department") }
        } else if !department.isEmpty {
            guard core.directory.department(department) != nil else { throw .invalidArgument(field: "department_code", reason: "is not a known department") }
        }
    }

    /// Creates an account; returns it with its one-time password.
    func create(username: String, name: String, role: Portal_V1_Role, jurisdiction: String, department: String,
                designation: String, by actor: Principal?) async throws(PortalError) -> (Portal_V1_StaffMember, String) {
        let username = try Self.username(username)
        let name = try PortalValidation.name(name, field: "name")
        let designation = try PortalValidation.text(designation, field: "designation", min: 0, max: 100)
        try checkPlacement(role: role, jurisdiction: jurisdiction, department: department)
        let password = Self.oneTimePassword()
        let hash = try await core.hashPassword(password)
        let now = core.now()
        let member = try await core.write { db in
            if try db.queryOne("SELECT 1 FROM staff WHERE username = ?", [username], { _ in true }) != nil {
                throw PortalError.alreadyExists(field: "username")
            }
            try db.run("INSERT INTO staff (username, name, role, jurisdiction_code, department_code, designation, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       username, name, Int64(role.rawValue), jurisdiction, department.isEmpty ? nil : department, designation, hash, now)
            let id = db.lastInsertRowID
            try AuditLog.append(db, at: now, actor: actor, action: "staff.create", target: "staff:\(id)",
                                detail: "role=\(role.rawValue) jurisdiction=\(jurisdiction)")
            return try db.queryOne("SELECT \(Self.columns) FROM staff WHERE id = ?", [id], Self.row)!
        }
        return (member, password)
    }

    static func username(_ s: String) throws(PortalError) -> String {
        guard !s.isEmpty else { throw .missing("username") }
        let u = s.lowercased()
        guard (3...32).contains(u.utf8.count),
              u.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D })
        else { throw .invalidArgument(field: "username", reason: "must be 3-32 lower-case letters, digits, '.', '_' or '-'") }
        return u
    }

    /// 16 characters from base64url plus a guaranteed digit and letter, so it meets the policy.
    static func oneTimePassword() -> String {
        "\(SecureRandom.token(bytes: 12))a\(SecureRandom.digits(1))"
    }
}

extension PortalCore {
    func hashPassword(_ password: String) async throws(PortalError) -> String {
        do { return try await hasher.hash(password) } catch {
            throw .unavailable("the server is busy; try again")
        }
    }

    /// Spends the same time whether or not the account exists. An overloaded hasher is
    /// UNAVAILABLE, never a wrong password (which would count towards a lockout).
    func verifyPassword(_ password: String, against hash: String?) async throws(PortalError) -> Bool {
        do { return try await hasher.verifyOrSpendEqualTime(password, against: hash) } catch {
            throw .unavailable("the server is busy; try again")
        }
    }
}
