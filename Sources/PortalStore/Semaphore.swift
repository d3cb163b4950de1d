#if canImport(Glibc)
import Glibc
#endif

/// A counting POSIX semaphore: the condition the store's threads sleep on.
/// Only the store's own threads wait on it; tasks never do.
final class Semaphore: @unchecked Sendable {
    // @unchecked: sem_t is thread-safe by design; the pointer never changes.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init(value: UInt32 = 0) {
        sem_init(semaphore, 0, value)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func post() {
        sem_post(semaphore)
    }

    /// Blocks the calling thread until the count is positive, then decrements it.
    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }

    /// Decrements the count if it is positive; never blocks.
    func tryWait() -> Bool {
        sem_trywait(semaphore) == 0
    }
}
