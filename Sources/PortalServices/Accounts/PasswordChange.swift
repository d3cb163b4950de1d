import PortalModel
import PortalSecurity
import PortalStore

/// Changing a signed-in account's password: the current password must verify (wrong ones
/// count towards the account's sign-in lockout), the new one meets the policy, and — unless the
/// caller keeps them — every other session of the account is signed out, its watch streams
/// ended. Audited without any password material.
struct PasswordChange: Sendable {
    let core: PortalCore

    func change(_ r: Portal_V1_ChangePasswordRequest, for who: Principal, tokenHash: [UInt8]) async throws(PortalError)
        -> Portal_V1_ChangePasswordResponse {
        guard !r.currentPassword.isEmpty else { throw .missing("current_password") }
        let (table, column, subject, accountKey): (String, String, UpdateHub.Subject, String) = switch who {
        case .citizen(let c): ("citizens", "citizen_id", .citizen(c.id), "citizen:\(c.id)")
        case .staff(let s): ("staff", "staff_id", .staff(s.id), "staff:\(s.id)")
        }
        let id: Int64 = switch who {
        case .citizen(let c): c.id
        case .staff(let s): s.id
        }
        try core.accountLimiter.check(accountKey, what: "sign-in")
        let row = try await core.read { db in
            try db.queryOne(table == "citizens" ? "SELECT password_hash, cnic, mobile FROM citizens WHERE id = ?"
                                                : "SELECT password_hash, '', '' FROM staff WHERE id = ?", [id]) {
                (hash: $0.text(0), cnic: $0.text(1), mobile: $0.text(2))
            }
        }
        guard let row else { throw .unauthenticated("account not found; sign in again") }
        guard try await core.verifyPassword(r.currentPassword, against: row.hash) else {
            core.accountLimiter.recordFailure(accountKey)
            throw .invalidArgument(field: "current_password", reason: "is wrong")
        }
        try PortalValidation.password(r.newPassword, field: "new_password",
                                      cnic: row.cnic.isEmpty ? nil : row.cnic, mobile: row.mobile.isEmpty ? nil : row.mobile)
        let hash = try await core.hashPassword(r.newPassword)
        let now = core.now(), keep = r.keepOtherSessions
        let revoked: Int = try await core.write { db in
            try db.run("UPDATE \(table) SET password_hash = ? WHERE id = ?", hash, id)
            let revoked = keep ? 0 : try db.run("DELETE FROM sessions WHERE \(column) = ? AND token_hash <> ?", id, tokenHash)
            try AuditLog.append(db, at: now, actor: who, action: table == "citizens" ? "citizen.change_password" : "staff.change_password",
                                target: "\(table == "citizens" ? "citizen" : "staff"):\(id)", detail: "other_sessions_revoked=\(revoked)")
            return revoked
        }
        if !keep { core.hub.revoke(subject, except: tokenHash) }
        var response = Portal_V1_ChangePasswordResponse()
        response.sessionsRevoked = UInt32(clamping: revoked)
        return response
    }
}
