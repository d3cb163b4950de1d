import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread for the store (the writer, each reader). SQLite calls block, so they
/// run here and never on the Swift cooperative pool.
enum StoreThread {
    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a joinable thread named `name` (at most 15 bytes are kept) running `body`.
    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(StoreError)
        -> pthread_t
    {
        let start = Unmanaged.passRetained(Start(name: name, body: body))
        var thread = pthread_t()
        let code = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            csqlite_set_thread_name(String(start.name.utf8.prefix(15))!)
            start.body()
            return nil
        }, start.toOpaque())
        guard code == 0 else {
            start.release()
            throw StoreError(
                .other, message: "cannot start thread \(name): \(String(cString: strerror(code)))")
        }
        return thread
    }

    /// Starts a thread nobody joins.
    static func detach(name: String, _ body: @escaping @Sendable () -> Void) throws(StoreError) {
        pthread_detach(try spawn(name: name, body))
    }

    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }

    static func isCurrent(_ thread: pthread_t) -> Bool {
        pthread_equal(pthread_self(), thread) != 0
    }

    /// The calling thread's name.
    static var currentName: String {
        var buffer = [CChar](repeating: 0, count: 32)
        _ = csqlite_thread_name(&buffer, buffer.count)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
