#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import PortalSecurity

/// yescrypt through libxcrypt: what login and registration rely on.
@Suite struct PasswordHasherTests {
    let hasher = PasswordHasher()

    @Test func hashIsYescryptAndVerifies() throws {
        let hash = try hasher.hash("Khyber#2026pass")
        #expect(hash.hasPrefix("$y$"))
        #expect(hash.split(separator: "$").count == 4)   // y, params, salt, hash
        #expect(hasher.verify("Khyber#2026pass", against: hash))
    }

    @Test func wrongPasswordFails() throws {
        let hash = try hasher.hash("correct horse 1")
        #expect(!hasher.verify("correct horse 2", against: hash))
        #expect(!hasher.verify("Correct horse 1", against: hash))
        #expect(!hasher.verify("", against: hash))
        #expect(!hasher.verify("correct horse 1 ", against: hash))
    }

    @Test func sameRandomSaltNeverRepeats() throws {
        let first = try hasher.hash("same password 9")
        let second = try hasher.hash("same password 9")
        #expect(first != second)
        #expect(hasher.verify("same password 9", against: first))
        #expect(hasher.verify("same password 9", against: second))
    }

    @Test func unicodePasswordsRoundTrip() throws {
        let password = "پاکستان زندہ باد ۱۹۴۷"
        let hash = try hasher.hash(password)
        #expect(hasher.verify(password, against: hash))
        #expect(!hasher.verify("پاکستان زندہ باد ۱۹۴۸", against: hash))
    }

    @Test func failureTokensAndGarbageNeverVerify() {
        for stored in ["*0", "*1", "*", "", "$y$", "not a hash", "$y$j9T$", "$1$abc$def",
                       "abJnggxhB/yWI"] {   // the last is a legacy DES hash of "test"
            #expect(!hasher.verify("test", against: stored), "\(stored)")
            #expect(!hasher.verify("", against: stored), "\(stored)")
        }
    }

    @Test func passwordsCCannotCarryAreRejected() throws {
        #expect(throws: PasswordHasherError.passwordContainsNUL) { try hasher.hash("abc\u{0}def") }
        #expect(throws: PasswordHasherError.passwordTooLong) {
            try hasher.hash(String(repeating: "a", count: PasswordHasher.maximumPasswordBytes + 1))
        }
        let longest = String(repeating: "ب", count: PasswordHasher.maximumPasswordBytes / 2)   // 2 bytes each
        let hash = try hasher.hash(longest)
        #expect(hasher.verify(longest, against: hash))
        // A NUL-truncated prefix must not match the full password's hash, nor vice versa.
        let prefixHash = try hasher.hash("abc")
        #expect(!hasher.verify("abc\u{0}def", against: prefixHash))
    }

    @Test func dummyHashNeverMatchesAndIsACurrentHash() {
        #expect(PasswordHasher.dummyHash.hasPrefix("$y$"))
        #expect(!hasher.needsRehash(PasswordHasher.dummyHash))
        #expect(!hasher.verifyOrSpendEqualTime("anything1", against: nil))
        #expect(!hasher.verifyOrSpendEqualTime("", against: nil))
    }

    @Test func verifyOrSpendEqualTimeUsesTheStoredHash() throws {
        let hash = try hasher.hash("Mardan2026!")
        #expect(hasher.verifyOrSpendEqualTime("Mardan2026!", against: hash))
        #expect(!hasher.verifyOrSpendEqualTime("Mardan2025!", against: hash))
    }

    @Test func needsRehashForOtherMethodsAndParameters() throws {
        #expect(!hasher.needsRehash(try hasher.hash("fresh hash 1")))
        #expect(hasher.needsRehash("$6$saltsalt$abcdefghijklmnopqrstuvwxyz"))     // sha512crypt
        #expect(hasher.needsRehash("$y$j8T$abcdefgh$abcdefghijklmnopqrstuvwxyz"))  // cheaper params
        #expect(hasher.needsRehash(""))
    }

    @Test func asyncHashAndVerify() async throws {
        let hash = try await hasher.hash("async pass 42")
        #expect(hash.hasPrefix("$y$"))
        #expect(try await hasher.verify("async pass 42", against: hash))
        #expect(try await hasher.verify("async pass 43", against: hash) == false)
        #expect(try await hasher.verifyOrSpendEqualTime("async pass 42", against: nil) == false)
    }

    @Test func asyncErrorsPropagate() async {
        await #expect(throws: PasswordHasherError.passwordContainsNUL) {
            try await hasher.hash("nul\u{0}inside")
        }
    }

    @Test func asyncHasherServesManyConcurrentTasks() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, Bool, Bool).self) { group in
            for i in 0..<24 {
                group.addTask {
                    let password = "citizen-\(i)-secret"
                    let hash = try await hasher.hash(password)
                    let good = try await hasher.verify(password, against: hash)
                    let bad = try await hasher.verify(password + "x", against: hash)
                    return (i, good, bad)
                }
            }
            var collected: [(Int, Bool, Bool)] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == 24)
        #expect(results.allSatisfy { $0.1 && !$0.2 })
    }

    @Test func fullQueueThrowsOverloaded() async throws {
        // One thread, held busy by a gate; one queue slot, taken by the first request.
        let small = PasswordHasher(workerThreads: 1, maxQueuedRequests: 1)
        let gate = Gate()
        try small.pool.submit { gate.wait() }
        while small.pool.queuedCount > 0 { await Task.yield() }   // the worker holds the gate job
        let queued = Task { try await small.hash("queued pw 1") }
        while small.pool.queuedCount < 1 { await Task.yield() }
        await #expect(throws: PasswordHasherError.overloaded) { try await small.hash("refused pw 1") }
        await #expect(throws: PasswordHasherError.overloaded) {
            try await small.verifyOrSpendEqualTime("refused pw 2", against: nil)
        }
        gate.open()
        let hash = try await queued.value
        #expect(try await small.verify("queued pw 1", against: hash))
    }

    @Test func cancelledTaskDoesNotRun() async throws {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await hasher.hash("never hashed 1")
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}

extension Result where Failure == any Error {
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Blocks a worker thread until the test opens it.
final class Gate: @unchecked Sendable {
    // @unchecked: sem_t is thread-safe by design.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    init() { sem_init(semaphore, 0, 0) }
    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }
    func open() { sem_post(semaphore) }
    func wait() { while sem_wait(semaphore) != 0 && errno == EINTR {} }
}
