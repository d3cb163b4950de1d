import Synchronization
import Testing

@testable import PortalStore

/// `StoreConfiguration.maxQueuedWrites`: overload is refused with `.busy`, not queued forever.
@Suite("Store: write queue bound")
struct WriteQueueBoundTests {
    @Test func writesBeyondTheBoundFailBusyAtOnceAndTheQueueRecovers() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try Store(
                path: dir.file("store.sqlite"),
                configuration: StoreConfiguration(readers: 1, migrations: itemMigrations, maxQueuedWrites: 8))
            defer { store.close() }
            // Hold the writer inside one write, then queue up to the bound behind it.
            let gate = Gate()
            defer { gate.open() }  // on every path, or close() would wait for the held writer forever
            let held = Task { try await store.write { _ in gate.pass() } }
            try await waitUntil("the writer is held") { gate.isEntered }
            let queued = (0..<8).map { i in
                Task { try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", "q\(i)") } }
            }
            try await waitUntil("eight writes are queued") { store.statistics.queuedWrites == 8 }

            // The ninth is refused without waiting for the writer, which the gate holds until
            // after the answer: a ninth write that queued would never finish here.
            let ninth = Task { await errorOf { try await store.write { db in try db.run("INSERT INTO item (value) VALUES ('x')") } } }
            let answered = Atomic<Bool>(false)
            Task { _ = await ninth.value; answered.store(true, ordering: .releasing) }
            try await waitUntil("the ninth write is answered while the writer is held") { answered.load(ordering: .acquiring) }
            let error = await ninth.value
            let busy = try #require(error as? StoreError)
            #expect(busy.kind == .busy)
            #expect(busy.message.contains("write queue is full"))

            gate.open()
            try await held.value
            for write in queued { _ = try await write.value }
            // Drained: writes are accepted again, and the refused one left nothing behind.
            try await store.write { db in try db.run("INSERT INTO item (value) VALUES ('after')") }
            #expect(try await itemValues(store).count == 9)
            #expect(!(try await itemValues(store)).contains("x"))
        }
    }
}
