import PortalModel
import PortalRPC
import PortalSecurity
import PortalStore

/// Department back ends' credentials. An admin creates a client for one department and gets
/// its API key once: `kpi_` + 256 random bits (base64url); the server keeps only its SHA-256,
/// like session tokens. The key is sent as `authorization: Bearer <key>` and is accepted by
/// IntegrationService only (it is not a session: every other service answers UNAUTHENTICATED,
/// and sessions are not accepted here). A client acts for its own department only, is audited
/// as `integration:<id>`, and is revoked by an admin (rotation: create a new one, switch,
/// revoke the old).
struct IntegrationClients: Sendable {
    let core: PortalCore

    /// An authenticated department back end.
    struct Caller: Sendable {
        var id: Int64
        var name: String
        var departmentCode: String
        var auditID: String { "integration:\(id)" }
    }

    static let keyPrefix = "kpi_"
    static let columns = "id, name, department_code, active, created_at, key_prefix"

    static func row(_ r: borrowing Row) -> Portal_V1_IntegrationClient {
        var c = Portal_V1_IntegrationClient()
        c.id = String(r.int(0)); c.name = r.text(1); c.departmentCode = r.text(2); c.active = r.int(3) != 0
        c.createdAt = .init(millis: r.int(4)); c.keyPrefix = r.text(5)
        return c
    }

    func authenticate(_ context: RPCServerContext) async throws(PortalError) -> Caller {
        guard let key = Authenticator.bearerToken(context) else {
            throw .unauthenticated("send the department's API key: authorization: Bearer <key>")
        }
        let hash = SHA256.hash(Array(key.utf8))
        let found = try await core.read { db in
            try db.queryOne("SELECT id, name, department_code FROM integration_clients WHERE key_hash = ? AND active = 1", [hash]) {
                Caller(id: $0.int(0), name: $0.text(1), departmentCode: $0.text(2))
            }
        }
        guard let found else { throw .unauthenticated("unknown or revoked API key") }
        return found
    }

    func create(_ r: Portal_V1_CreateIntegrationClientRequest, by admin: Principal.Staff) async throws(PortalError) -> Portal_V1_CreateIntegrationClientResponse {
        let name = try PortalValidation.text(r.name, field: "name", min: 3, max: 100)
        let department = try InfoValidation.department(r.departmentCode, field: "department_code", directory: core.directory)
        let key = Self.keyPrefix + SecureRandom.token(bytes: 32)
        let hash = SHA256.hash(Array(key.utf8))
        let prefix = String(key.prefix(12))
        let now = core.now(), actor = Principal.staff(admin)
        let client = try await core.write { db in
            try db.run("INSERT INTO integration_clients (name, department_code, key_hash, key_prefix, created_at) VALUES (?, ?, ?, ?, ?)",
                       name, department, hash, prefix, now)
            let id = db.lastInsertRowID
            try AuditLog.append(db, at: now, actor: actor, action: "integration_client.create", target: "integration:\(id)",
                                detail: "department=\(department)")
            return try db.queryOne("SELECT \(Self.columns) FROM integration_clients WHERE id = ?", [id], Self.row)!
        }
        var response = Portal_V1_CreateIntegrationClientResponse()
        response.client = client
        response.apiKey = key
        return response
    }

    func list() async throws(PortalError) -> Portal_V1_ListIntegrationClientsResponse {
        var response = Portal_V1_ListIntegrationClientsResponse()
        response.clients = try await core.read { db in
            try db.query("SELECT \(Self.columns) FROM integration_clients ORDER BY id", [], Self.row)
        }
        return response
    }

    func revoke(_ r: Portal_V1_RevokeIntegrationClientRequest, by admin: Principal.Staff) async throws(PortalError) -> Portal_V1_IntegrationClient {
        let id = try PortalValidation.id(r.clientId, field: "client_id")
        let now = core.now(), actor = Principal.staff(admin)
        return try await core.write { db in
            guard let active = try db.queryOne("SELECT active FROM integration_clients WHERE id = ?", [id], { $0.int(0) != 0 }) else {
                throw PortalError.notFound("integration client \(id) not found")
            }
            guard active else { throw PortalError.failedPrecondition("integration client \(id) is already revoked") }
            try db.run("UPDATE integration_clients SET active = 0, revoked_at = ? WHERE id = ?", now, id)
            try AuditLog.append(db, at: now, actor: actor, action: "integration_client.revoke", target: "integration:\(id)")
            return try db.queryOne("SELECT \(Self.columns) FROM integration_clients WHERE id = ?", [id], Self.row)!
        }
    }
}

extension AuditLog {
    /// Appends an entry for an actor that is neither a citizen nor a staff member (a department
    /// back end, `integration:<id>`), recorded with role 0. Same chain as every other entry.
    static func append(_ db: Database, at: Int64, actorID: String, action: String, target: String, detail: String = "") throws {
        let last = try db.queryOne("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") { ($0.int(0), $0.blob(1)) }
        let seq = (last?.0 ?? 0) + 1
        let hash = digest(previous: last?.1 ?? genesis, seq: seq, at: at, actorRole: 0,
                          actorID: actorID, action: action, target: target, detail: detail)
        try db.run("INSERT INTO audit_log (seq, at, actor_id, actor_role, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   seq, at, actorID, Int64(0), action, target, detail, hash)
    }
}
