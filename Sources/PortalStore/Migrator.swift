#if canImport(Glibc)
import Glibc
#endif

/// Applies named, forward-only migrations and records them in
/// `schema_migrations(name TEXT PRIMARY KEY, applied_at INTEGER)` (applied_at: Unix seconds).
///
/// The names already recorded must be a prefix of the registered list. Anything else is a
/// `.migration` error naming the offending migration, and nothing is applied:
/// - the database has a migration this code does not know (a newer database, or a renamed one);
/// - the database applied the known migrations in another order (the list was reordered).
///
/// Each pending migration runs in its own `BEGIN IMMEDIATE` transaction together with its
/// record, so a failure leaves the database at the previous migration.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(_ migrations: [Migration]) {
        self.migrations = migrations
    }

    /// Applies the pending migrations in order; returns the names applied (empty if none).
    @discardableResult
    public func migrate(_ db: Database) throws -> [String] {
        let pending = try pendingMigrations(db)
        var applied: [String] = []
        for migration in pending {
            do {
                try db.transaction {
                    try migration.apply(db)
                    try db.run(
                        "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                        migration.name, Int64(time(nil)))
                }
            } catch let error as StoreError {
                throw StoreError(
                    .migration, message: "migration \"\(migration.name)\" failed: \(error.message)",
                    resultCode: error.resultCode, sql: error.sql)
            } catch {
                throw StoreError(
                    .migration, message: "migration \"\(migration.name)\" failed: \(error)")
            }
            applied.append(migration.name)
        }
        return applied
    }

    /// The names recorded in the database, in the order they were applied.
    public func appliedMigrations(_ db: Database) throws -> [String] {
        try createTable(db)
        return try db.query("SELECT name FROM schema_migrations ORDER BY rowid") { $0.text(0) }
    }

    /// The registered migrations not yet applied, after checking the recorded ones are a
    /// prefix of the registered list.
    public func pendingMigrations(_ db: Database) throws -> [Migration] {
        var seen = Set<String>()
        for migration in migrations where !seen.insert(migration.name).inserted {
            throw StoreError(
                .migration, message: "migration \"\(migration.name)\" is registered twice")
        }
        let applied = try appliedMigrations(db)
        for (position, name) in applied.enumerated() {
            guard seen.contains(name) else {
                throw StoreError(
                    .migration,
                    message: "the database has migration \"\(name)\", which this code does not "
                        + "know (a newer database, or a renamed migration)")
            }
            guard position < migrations.count, migrations[position].name == name else {
                throw StoreError(
                    .migration,
                    message: "the database applied migration \"\(name)\" at position "
                        + "\(position + 1), but the code registers it elsewhere (reordered list)")
            }
        }
        return Array(migrations.dropFirst(applied.count))
    }

    private func createTable(_ db: Database) throws(StoreError) {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """)
    }
}
