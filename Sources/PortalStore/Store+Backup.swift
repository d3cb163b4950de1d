extension Store {
    /// Writes a consistent copy of the database to `path` (online: writes continue meanwhile),
    /// from a reader connection so the writer is not held up. The copy appears at `path`
    /// atomically (see `Database.backup(to:)`); an existing file there is replaced.
    public func backup(to path: String) async throws {
        try await onReader { db in try db.backup(to: path) }
    }
}
