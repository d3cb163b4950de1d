import Foundation
import Synchronization
import Testing

@testable import PortalStore

/// A fresh directory under the system temp dir, removed when `body` returns.
struct TemporaryDirectory: Sendable {
    let path: String

    func file(_ name: String) -> String { path + "/" + name }

    static func with<T>(_ body: (TemporaryDirectory) async throws -> T) async throws -> T {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("portalstore-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try await body(TemporaryDirectory(path: url.path))
    }
}

/// A thread-blocking gate: a store closure waits on it to hold its thread (and so its whole
/// queue) still while a test lines up more work behind it.
final class Gate: Sendable {
    private let semaphore = Semaphore()
    private let entered = Atomic<Bool>(false)

    /// Called on a store thread: records that it got here, then blocks until `open()`.
    func pass() {
        entered.store(true, ordering: .sequentiallyConsistent)
        semaphore.wait()
    }

    var isEntered: Bool { entered.load(ordering: .sequentiallyConsistent) }

    func open() { semaphore.post() }
}

struct TestFailure: Error, Equatable {
    let tag: String
}

/// Polls `condition` (on the cooperative pool, without blocking it) for up to 60 s (generous:
/// the whole test suite shares two cores with the rest of a CI run).
func waitUntil(
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
            throw TestFailure(tag: "timeout")
        }
        try await Task.sleep(for: .milliseconds(1))
    }
}

/// The schema most store tests use.
let itemMigrations = [
    Migration(
        "create item",
        sql: """
            CREATE TABLE item (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (
                id INTEGER PRIMARY KEY,
                parent_id INTEGER NOT NULL
                    REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED
            );
            """)
]

func openStore(
    _ directory: TemporaryDirectory, readers: Int = 2, maxBatch: Int = 512
) throws -> Store {
    try Store(
        path: directory.file("store.sqlite"),
        configuration: StoreConfiguration(
            readers: readers, maxBatch: maxBatch, migrations: itemMigrations))
}

func itemValues(_ store: Store) async throws -> [String] {
    try await store.read { db in
        try db.query("SELECT value FROM item ORDER BY value") { $0.text(0) }
    }
}

/// Runs `write` to completion, returning its error (nil on success).
func errorOf<T>(_ work: () async throws -> T) async -> (any Error)? {
    do {
        _ = try await work()
        return nil
    } catch {
        return error
    }
}
