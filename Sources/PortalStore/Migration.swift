/// One named schema change. Names are permanent: once a migration has shipped, never rename,
/// reorder or edit it; add a new one instead.
public struct Migration: Sendable {
    public var name: String
    /// Runs inside the migration's own transaction (see `Migrator`).
    public var apply: @Sendable (Database) throws -> Void

    /// A migration given as SQL (one or more statements, no bindings).
    public init(_ name: String, sql: String) {
        self.name = name
        self.apply = { db in try db.execute(sql) }
    }

    /// A migration given as code, for data changes that need bindings or reads.
    public init(_ name: String, _ apply: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.apply = apply
    }
}
