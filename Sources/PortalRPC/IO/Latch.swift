#if canImport(Glibc)
import Glibc
#endif

/// A one-shot latch for a thread that must wait for an event loop (start-up only).
final class Latch: @unchecked Sendable {
    // @unchecked: sem_t is thread-safe by design.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init() { sem_init(semaphore, 0, 0) }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func open() { sem_post(semaphore) }

    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
