import PortalModel
import PortalRPC
import PortalSecurity
import PortalStore

/// Sessions: 256-bit random tokens handed to the client once, stored only as SHA-256, looked
/// up on every call from the `authorization: Bearer <token>` metadata.
struct Authenticator: Sendable {
    let core: PortalCore

    /// Creates a session for a citizen or staff member inside the caller's transaction.
    static func createSession(_ db: Database, citizenID: Int64?, staffID: Int64?, now: Int64, lifetime: Int64) throws -> (token: String, expiresAt: Int64) {
        let token = SecureRandom.token(bytes: 32)
        let expires = now + lifetime
        try db.run("INSERT INTO sessions (token_hash, citizen_id, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                   hash(token), citizenID, staffID, now, expires)
        return (token, expires)
    }

    /// What the store keeps of a token: its SHA-256.
    static func hash(_ token: String) -> [UInt8] { SHA256.hash(Array(token.utf8)) }

    /// SHA-256 of the call's bearer token (empty without one).
    static func tokenHash(_ context: RPCServerContext) -> [UInt8] {
        bearerToken(context).map(hash) ?? []
    }

    /// The token of `authorization: Bearer <token>` (scheme case-insensitive, surrounding
    /// spaces ignored), or nil. A byte scan: this runs on every signed-in call.
    static func bearerToken(_ context: RPCServerContext) -> String? {
        guard let value = context.metadata["authorization"] else { return nil }
        let bytes = Array(value.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
              zip(bytes, scheme).allSatisfy({ $0 == $1 || ($1 >= 0x61 && $1 <= 0x7A && $0 == $1 - 0x20) }) else { return nil }
        var start = scheme.count, end = bytes.count
        while start < end && bytes[start] == 0x20 { start += 1 }
        while end > start && bytes[end - 1] == 0x20 { end -= 1 }
        guard end > start, end - start <= 128 else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The caller of a signed-in call, or UNAUTHENTICATED.
    func principal(_ context: RPCServerContext) async throws(PortalError) -> Principal {
        guard let token = Self.bearerToken(context) else {
            throw .unauthenticated("sign in first: send metadata authorization: Bearer <token>")
        }
        let hash = Self.hash(token)
        let now = core.now()
        let found: Principal? = try await core.read { db in
            if let c = try db.queryOne("""
                SELECT c.id, c.name, c.district_code, c.verified FROM sessions s JOIN citizens c ON c.id = s.citizen_id
                WHERE s.token_hash = ? AND s.expires_at > ? AND c.blocked = 0
                """, [hash, now], { r in
                    Principal.citizen(.init(id: r.int(0), name: r.text(1), districtCode: r.text(2), verified: r.int(3) != 0))
                }) { return c }
            return try db.queryOne("""
                SELECT t.id, t.name, t.role, coalesce(t.jurisdiction_code, ''), coalesce(t.department_code, '')
                FROM sessions s JOIN staff t ON t.id = s.staff_id
                WHERE s.token_hash = ? AND s.expires_at > ? AND t.active = 1
                """, [hash, now], { r in
                    Principal.staff(.init(id: r.int(0), name: r.text(1), role: Portal_V1_Role(rawValue: Int32(r.int(2))),
                                          jurisdictionCode: r.text(3), departmentCode: r.text(4)))
                })
        }
        guard let found else { throw .unauthenticated("session expired or revoked; sign in again") }
        return found
    }

    func citizen(_ context: RPCServerContext) async throws(PortalError) -> Principal.Citizen {
        guard case .citizen(let c) = try await principal(context) else {
            throw .permissionDenied("this call is for citizens")
        }
        return c
    }

    func staff(_ context: RPCServerContext, roles: Set<Portal_V1_Role>) async throws(PortalError) -> Principal.Staff {
        guard case .staff(let s) = try await principal(context) else {
            throw .permissionDenied("this call is for officers")
        }
        guard roles.contains(s.role) else { throw .permissionDenied("your role may not do this") }
        return s
    }

    func revoke(_ context: RPCServerContext) async throws(PortalError) {
        guard let token = Self.bearerToken(context) else { throw .unauthenticated("no session to end") }
        let hash = Self.hash(token)
        _ = try await core.write { db in try db.run("DELETE FROM sessions WHERE token_hash = ?", hash) }
        core.hub.revoke(tokenHash: hash)
    }

    /// Keeps a watch stream bound to its session: `end` runs when the session is revoked
    /// (logout, block, deactivation). Returns the function that drops the guard. Checks the
    /// session once more after arming, so a revocation in between is not missed.
    func guardWatch(_ context: RPCServerContext, _ who: Principal, end: @escaping @Sendable () -> Void)
        async throws(PortalError) -> @Sendable () -> Void {
        let subject: UpdateHub.Subject = switch who {
        case .citizen(let c): .citizen(c.id)
        case .staff(let s): .staff(s.id)
        }
        let hash = Self.tokenHash(context)
        let unguard = core.hub.guardSession(subject, tokenHash: hash, end: end)
        do { _ = try await principal(context) } catch {
            unguard()
            throw error
        }
        return unguard
    }

    /// Why a watch stream's feed ended: its session was revoked (UNAUTHENTICATED), the client
    /// cancelled, or the server is shutting down (UNAVAILABLE).
    func watchEnded(_ context: RPCServerContext) async throws(PortalError) -> Never {
        _ = try await principal(context)
        if Task.isCancelled { throw .unavailable("call cancelled") }
        throw .unavailable("the server is shutting down; reconnect")
    }
}

extension Set where Element == Portal_V1_Role {
    static let allStaff: Set<Portal_V1_Role> = [.departmentOfficer, .deputyCommissioner, .commissioner, .chiefSecretary, .admin]
    /// Who may act on complaints (assign, resolve, transfer): the district, division and province heads.
    static let supervisors: Set<Portal_V1_Role> = [.deputyCommissioner, .commissioner, .chiefSecretary]
}
